import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { webApi } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { silentSlackLogger } from '../helpers/silent-slack-logger.js';
import { SlackRequester, signRequest } from '../../sandbox/slack-requests.js';

const { WebClient } = webApi;
const client = (slack: FakeSlackApi, token: string) => new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: silentSlackLogger });

async function slackError(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { data?: { error?: string } }).data?.error;
  }
  assert.fail('expected Slack to refuse');
}

describe('Slack stand-in: custom steps (functions.completeSuccess / completeError)', () => {
  let slack: FakeSlackApi;
  beforeEach(async () => {
    slack = await startFakeSlackApi();
  });
  afterEach(async () => {
    await slack.close();
  });

  it("completes an execution with its own token, records the outputs, and refuses a second completion", async () => {
    const execution = slack.startFunctionExecution('invite_to_remote_session');
    assert.match(execution.functionExecutionId, /^Fx/);
    assert.match(execution.token, /^xwfp-/);
    await client(slack, execution.token).functions.completeSuccess({ function_execution_id: execution.functionExecutionId, outputs: { session_id: 's1' } });
    assert.deepEqual(slack.functionExecution(execution.functionExecutionId)?.completion?.outputs, { session_id: 's1' });
    assert.equal(await slackError(client(slack, execution.token).functions.completeError({ function_execution_id: execution.functionExecutionId, error: 'late' })), 'function_execution_not_found');
    assert.equal(slack.functionExecution(execution.functionExecutionId)?.completion?.method, 'functions.completeSuccess');
    assert.equal(slack.callsTo('functions.completeError').length, 1, 'the refused call is recorded too');
  });

  it('completeError records the reason', async () => {
    const execution = slack.startFunctionExecution('step');
    await client(slack, execution.token).functions.completeError({ function_execution_id: execution.functionExecutionId, error: 'No phone' });
    assert.equal(slack.functionExecution(execution.functionExecutionId)?.completion?.error, 'No phone');
  });

  it('accepts only the execution token it issued for that execution', async () => {
    const one = slack.startFunctionExecution('step');
    const other = slack.startFunctionExecution('step');
    assert.equal(await slackError(client(slack, 'xoxb-test').functions.completeSuccess({ function_execution_id: one.functionExecutionId, outputs: {} })), 'invalid_auth');
    assert.equal(await slackError(client(slack, other.token).functions.completeSuccess({ function_execution_id: one.functionExecutionId, outputs: {} })), 'access_denied');
    assert.equal(slack.functionExecution(one.functionExecutionId)?.completion, undefined);
  });

  it('answers token_expired once the token is older than its lifetime', async () => {
    slack.setFunctionTokenLifetime(50);
    const execution = slack.startFunctionExecution('step');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(await slackError(client(slack, execution.token).functions.completeSuccess({ function_execution_id: execution.functionExecutionId, outputs: {} })), 'token_expired');
  });

  it('checks the documented required arguments', async () => {
    const execution = slack.startFunctionExecution('step');
    const answer = await fetch(`${slack.apiUrl}functions.completeSuccess`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${execution.token}` },
      body: JSON.stringify({ function_execution_id: execution.functionExecutionId }),
    });
    const body = (await answer.json()) as { ok: boolean; error: string; response_metadata: { messages: string[] } };
    assert.equal(body.ok, false);
    assert.equal(body.error, 'invalid_arguments');
    assert.deepEqual(body.response_metadata.messages, ['[ERROR] missing required field: outputs']);
    const noError = await fetch(`${slack.apiUrl}functions.completeError`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${execution.token}` },
      body: JSON.stringify({ function_execution_id: execution.functionExecutionId }),
    });
    assert.equal(((await noError.json()) as { error: string }).error, 'invalid_arguments');
  });
});

describe('SlackRequester.functionExecuted', () => {
  let slack: FakeSlackApi;
  let server: Server;
  let received: { headers: Record<string, string | string[] | undefined>; body: string } | undefined;
  beforeEach(async () => {
    slack = await startFakeSlackApi();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received = { headers: req.headers, body };
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await slack.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends a signed function_executed event with an execution the stand-in issued', async () => {
    const address = server.address() as { port: number };
    const requester = new SlackRequester({ appUrl: `http://127.0.0.1:${address.port}`, signingSecret: 'secret', fakeSlack: slack });
    const run = await requester.functionExecuted('invite_to_remote_session', { contacts: '+33612345678' });
    const envelope = JSON.parse(received!.body);
    assert.equal(envelope.type, 'event_callback');
    const { event } = envelope;
    assert.equal(event.type, 'function_executed');
    assert.equal(event.function.callback_id, 'invite_to_remote_session');
    assert.equal(event.function.app_id, slack.appId);
    assert.deepEqual(event.inputs, { contacts: '+33612345678' });
    assert.equal(event.function_execution_id, run.functionExecutionId);
    assert.equal(event.bot_access_token, run.token);
    assert.match(event.workflow_execution_id, /^Wx/);
    assert.ok(slack.functionExecution(run.functionExecutionId), 'the stand-in knows the execution');
    const signed = signRequest('secret', received!.body, Number(received!.headers['x-slack-request-timestamp']));
    assert.equal(received!.headers['x-slack-signature'], signed['X-Slack-Signature']);
  });
});
