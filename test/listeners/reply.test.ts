import assert from 'node:assert/strict';
import type { RespondFn } from '@slack/bolt';
import { replyTo } from '../../src/listeners/reply.js';
import { captureLogs } from '../helpers/log-capture.js';

describe('replyTo', () => {
  let ephemerals: Array<{ channel: string; user: string; text: string }>;
  let responded: Array<{ text?: string }>;
  const gateway = {
    postEphemeral: async (args: { channel: string; user: string; text: string }) => {
      ephemerals.push(args);
    },
  };
  const respond = (async (message: { text?: string }) => {
    responded.push(message);
    return undefined;
  }) as unknown as RespondFn;

  beforeEach(() => {
    ephemerals = [];
    responded = [];
  });

  it('answers through the response_url when there is one', async () => {
    await replyTo({ respond, gateway, channelId: 'C1', userId: 'U1', logger: captureLogs().logger })('hello');
    assert.deepEqual(responded.map((message) => message.text), ['hello']);
    assert.deepEqual(ephemerals, []);
  });

  it('answers by chat.postEphemeral in the conversation when Slack sent no response_url', async () => {
    await replyTo({ respond: undefined, gateway, channelId: 'C1', userId: 'U1', logger: captureLogs().logger })('hello');
    assert.deepEqual(ephemerals, [{ channel: 'C1', user: 'U1', text: 'hello' }]);
  });

  it('falls back to chat.postEphemeral when the response_url fails (expired, used up)', async () => {
    const failing = (async () => {
      throw new Error('expired_url');
    }) as unknown as RespondFn;
    await replyTo({ respond: failing, gateway, channelId: 'C1', userId: 'U1', logger: captureLogs().logger })('hello');
    assert.deepEqual(ephemerals, [{ channel: 'C1', user: 'U1', text: 'hello' }]);
  });

  it('logs, never throws, when there is nowhere to answer or Slack refuses', async () => {
    const { logger, lines } = captureLogs();
    await replyTo({ respond: undefined, gateway, userId: 'U1', logger })('hello');
    const refusing = { postEphemeral: async () => Promise.reject(new Error('channel_not_found')) };
    await replyTo({ respond: undefined, gateway: refusing, channelId: 'C1', userId: 'U1', logger })('hello');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /no response_url and no conversation/);
    assert.match(lines[1]!, /ephemeral reply failed/);
  });

  it('says it in the app’s DM with the user when asked to and no ephemeral can reach them, and only then', async () => {
    const posted: Array<{ channel: string; text: string }> = [];
    const hidden = {
      postEphemeral: async () => Promise.reject(new Error('channel_not_found')),
      postMessage: async (args: { channel: string; text: string }) => (posted.push(args), { channel: 'D0U1', ts: '1.000100' }),
    };
    const { logger, lines } = captureLogs();
    await replyTo({ respond: undefined, gateway: hidden, channelId: 'G0SECRET', userId: 'U1', logger })('an agent link');
    assert.deepEqual(posted, [], 'not without orDirectMessage');
    assert.match(lines.join(''), /ephemeral reply failed/);
    await replyTo({ respond: undefined, gateway: hidden, channelId: 'G0SECRET', userId: 'U1', logger, orDirectMessage: true })('add the app');
    assert.deepEqual(posted.map(({ channel, text }) => [channel, text]), [['U1', 'add the app']]);
    await replyTo({ respond: undefined, gateway: { ...hidden, postEphemeral: async () => undefined }, channelId: 'C1', userId: 'U1', logger, orDirectMessage: true })('seen');
    assert.equal(posted.length, 1, 'an ephemeral that works is enough');
  });

  it("keeps the text within Slack's 40,000 characters", async () => {
    await replyTo({ respond: undefined, gateway, channelId: 'C1', userId: 'U1', logger: captureLogs().logger })('x'.repeat(45_000));
    assert.equal(ephemerals[0]!.text.length, 40_000);
  });
});
