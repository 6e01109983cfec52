import assert from 'node:assert/strict';
import type { ModalView } from '@slack/types';
import nock from 'nock';
import { modalClient, ModalOpener } from '../../src/slack/modal-opener.js';
import { captureLogs } from '../helpers/log-capture.js';

const SLACK = 'https://slack.test';
const VIEW: ModalView = { type: 'modal', title: { type: 'plain_text', text: 'Invite' }, blocks: [] };

/** An opener on the app's own client, against Slack pinned by nock, on a clock only its waits move. */
function opener() {
  let clock = 10_000;
  const waits: number[] = [];
  const own = captureLogs();
  const modals = new ModalOpener(modalClient('xoxb-test', { slackApiUrl: `${SLACK}/api/` }), {
    logger: own.logger,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  return { modals, waits, receivedAt: clock, ownLines: own.lines };
}

const rateLimited = (retryAfter: number) => [429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(retryAfter) }] as const;

describe('ModalOpener (views.open within the trigger’s 3 s)', () => {
  afterEach(() => nock.cleanAll());

  it('waits out a 429 whose Retry-After still fits in the trigger window, then opens the modal once', async () => {
    const scope = nock(SLACK).post('/api/views.open').reply(...rateLimited(1)).post('/api/views.open').reply(200, { ok: true, view: { id: 'V1' } });
    const { modals, waits, receivedAt } = opener();
    assert.deepEqual(await modals.open('1.2.abc', VIEW, receivedAt), { opened: true });
    assert.deepEqual(waits, [1000]);
    scope.done();
  });

  it('gives up, without waiting, when Slack asks for a wait that would outlast the trigger', async () => {
    const scope = nock(SLACK).post('/api/views.open').reply(...rateLimited(5));
    const { modals, waits, receivedAt } = opener();
    assert.deepEqual(await modals.open('1.2.abc', VIEW, receivedAt), { opened: false, code: 'ratelimited' });
    assert.deepEqual(waits, []);
    scope.done();
  });

  it('stops once the waits so far leave no room for another (429 after 429)', async () => {
    const scope = nock(SLACK).post('/api/views.open').times(3).reply(...rateLimited(1));
    const { modals, waits, receivedAt } = opener();
    assert.deepEqual(await modals.open('1.2.abc', VIEW, receivedAt), { opened: false, code: 'ratelimited' });
    // 0 s, 1 s, 2 s: a third wait would end at 3 s, past the 2.5 s kept for the trigger.
    assert.deepEqual(waits, [1000, 1000]);
    scope.done();
  });

  it('counts the window from the request’s arrival, not from the first call', async () => {
    const scope = nock(SLACK).post('/api/views.open').reply(...rateLimited(1));
    const { modals, waits, receivedAt } = opener();
    assert.deepEqual(await modals.open('1.2.abc', VIEW, receivedAt - 2000), { opened: false, code: 'ratelimited' });
    assert.deepEqual(waits, []);
    scope.done();
  });

  it('reports a refusal (an expired trigger) at once, without retrying', async () => {
    const scope = nock(SLACK).post('/api/views.open').reply(200, { ok: false, error: 'expired_trigger_id' });
    const { modals, waits, receivedAt } = opener();
    assert.deepEqual(await modals.open('1.2.abc', VIEW, receivedAt), { opened: false, code: 'expired_trigger_id' });
    assert.deepEqual(waits, []);
    scope.done();
  });

  it('says a modal was not opened with the request’s logger when given one', async () => {
    const scope = nock(SLACK).post('/api/views.open').reply(200, { ok: false, error: 'expired_trigger_id' });
    const { modals, receivedAt, ownLines } = opener();
    const request = captureLogs();
    await modals.open('1.2.abc', VIEW, receivedAt, undefined, request.logger.child({ correlationId: 'req-modal-1' }));
    const [line] = request.lines.map((text) => JSON.parse(text) as { msg: string; correlationId?: string });
    assert.deepEqual([line?.msg, line?.correlationId], ['modal not opened within its trigger', 'req-modal-1']);
    assert.deepEqual(ownLines, []);
    scope.done();
  });

  it('never sends views.open again after a 5xx, which Slack may have acted on', async () => {
    const scope = nock(SLACK).post('/api/views.open').reply(503, 'unavailable');
    const { modals, receivedAt } = opener();
    assert.deepEqual(await modals.open('1.2.abc', VIEW, receivedAt), { opened: false, code: 'http_503' });
    scope.done();
  });
});
