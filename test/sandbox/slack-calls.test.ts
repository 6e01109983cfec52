import assert from 'node:assert/strict';
import { webApi } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { silentSlackLogger } from '../helpers/silent-slack-logger.js';

const { WebClient } = webApi;


async function refusal(promise: Promise<unknown>): Promise<{ error?: string; messages?: string[] }> {
  try {
    await promise;
  } catch (error) {
    const { data } = error as { data?: { error: string; response_metadata?: { messages?: string[] } } };
    return { error: data?.error, messages: data?.response_metadata?.messages };
  }
  assert.fail('expected Slack to refuse');
}

describe('fake Slack Web API: the Calls API', () => {
  let fake: FakeSlackApi;
  let client: InstanceType<typeof WebClient>;

  beforeEach(async () => {
    fake = await startFakeSlackApi();
    client = new WebClient('xoxb-test', { slackApiUrl: `${fake.url}/api/`, retryConfig: { retries: 0 }, logger: silentSlackLogger });
  });
  afterEach(() => fake.close());

  it('registers a call and answers its id, as calls.add documents', async () => {
    const added = await client.calls.add({
      external_unique_id: 'session-1',
      join_url: 'https://meet.example/room',
      title: 'Site survey',
      date_start: 1_764_676_800,
      created_by: 'U0AGENT',
      external_display_id: 'RDV-1',
    });
    assert.equal(added.ok, true);
    const id = added.call?.id ?? '';
    assert.match(id, /^R[0-9]{8}$/);
    const info = await client.calls.info({ id });
    assert.deepEqual(
      { ...info.call },
      { id, external_unique_id: 'session-1', join_url: 'https://meet.example/room', title: 'Site survey', date_start: 1_764_676_800, created_by: 'U0AGENT', external_display_id: 'RDV-1', users: [] },
    );
  });

  it('refuses calls.add without its required arguments (created_by too, with a bot token)', async () => {
    const missing = await refusal(client.apiCall('calls.add', { title: 'x' }));
    assert.equal(missing.error, 'invalid_arguments');
    assert.deepEqual(missing.messages, ['[ERROR] missing required field: external_unique_id', '[ERROR] missing required field: join_url']);
    const noCreator = await refusal(client.calls.add({ external_unique_id: 'session-2', join_url: 'https://meet.example/x' }));
    assert.deepEqual(noCreator.messages, ['[ERROR] missing required field: created_by']);
    assert.deepEqual(fake.callsApi.all(), []);
  });

  it('updates the title, ends with a duration once, and answers invalid_call_id for a call it never registered', async () => {
    const { call } = await client.calls.add({ external_unique_id: 's', join_url: 'https://meet.example/x', created_by: 'U0AGENT' });
    const id = call!.id!;
    await client.calls.update({ id, title: 'Started' });
    assert.equal(fake.callsApi.get(id)?.title, 'Started');
    await client.calls.end({ id, duration: 754 });
    assert.equal(fake.callsApi.get(id)?.duration, 754);
    const again = await client.calls.end({ id, duration: 1 });
    assert.equal(again.error, 'inactive_call');
    assert.equal(fake.callsApi.get(id)?.duration, 754);
    assert.equal((await refusal(client.calls.update({ id: 'R404', title: 'x' }))).error, 'invalid_call_id');
    assert.equal((await refusal(client.calls.end({ id: 'R404' }))).error, 'invalid_call_id');
    assert.equal((await refusal(client.apiCall('calls.end', {}))).error, 'invalid_arguments');
  });

  it('accepts a call block in a message only with a call id it registered', async () => {
    const { call } = await client.calls.add({ external_unique_id: 's', join_url: 'https://meet.example/x', created_by: 'U0AGENT' });
    // @slack/types declares no call block: sent through apiCall, as the app's card is.
    const posted = (await client.apiCall('chat.postMessage', { channel: 'C0SUPPORT', text: 'Meeting', blocks: [{ type: 'call', call_id: call!.id! }] })) as { ok: boolean; ts: string };
    assert.equal(posted.ok, true);
    const unknown = await refusal(client.apiCall('chat.update', { channel: 'C0SUPPORT', ts: posted.ts, text: 'Meeting', blocks: [{ type: 'call', call_id: 'R0FORGED' }] }));
    assert.equal(unknown.error, 'invalid_blocks');
    const noId = await refusal(client.chat.postMessage({ channel: 'C0SUPPORT', text: 'Meeting', blocks: [{ type: 'call' }] }));
    assert.equal(noId.error, 'invalid_blocks');
    assert.match(fake.transcript('C0SUPPORT'), new RegExp(`📞 \\[Slack call ${call!.id!}\\]`));
  });
});
