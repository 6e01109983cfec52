import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { installThroughOAuth, OAUTH_CLIENT } from '../../sandbox/slack-install.js';
import { ACTION } from '../../src/ui/ids.js';
import { captureLogs } from '../helpers/log-capture.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const WEBHOOK_SECRET = 'XYZ-hook-secret-4711';

/** Every form a phone number may take in a log line: E.164, national with and without separators. */
function phoneForms(e164: string): string[] {
  const national = `0${e164.slice(3)}`;
  const pairs = national.match(/\d{2}/g)!;
  return [e164, e164.slice(1), national, pairs.join(' '), pairs.join('.'), pairs.join('-'), e164.slice(3), `+33 ${e164.slice(3, 4)} ${pairs.slice(1).join(' ')}`];
}

const CONTACTS = {
  apizeePhone: '+33612345678',
  blitzzPhone: '+33622334455',
  conpeekPhone: '+33698765432',
  meetPhone: '+33611223344',
  imbeeEmail: 'jane.logscan@example.com',
  meetEmail: 'bob.logscan@example.org',
};

describe('e2e: no contact and no secret in any log line', function () {
  this.timeout(60_000);
  let stack: LocalStack;
  let lines: string[];

  before(async () => {
    const captured = captureLogs('debug');
    lines = captured.lines;
    stack = await startLocalStack({ logger: captured.logger, apizeeRatePerMinute: 60, env: { APIZEE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  after(async () => {
    if (stack) await stack.close();
  });

  const threadReply = (pattern: RegExp) =>
    stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text ?? ''), 10_000);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.appUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('runs sessions for every vendor with known contacts, webhooks with ?secret=, and logs none of them', async () => {
    const slash = (text: string) => stack.requester.slash(text, { userId: STARTER, channelId: CHANNEL });
    await slash(`${CONTACTS.apizeePhone} ref:LOG-A`);
    await slash('+33 6 22 33 44 55 blitzz whatsapp ref:LOG-B');
    await slash(`${CONTACTS.conpeekPhone} conpeek ref:LOG-C`);
    await slash(`meet ${CONTACTS.meetPhone}, ${CONTACTS.meetEmail} conpeek "Site visit"`);
    await slash(`${CONTACTS.imbeeEmail} imbee ref:LOG-I`);
    await slash(`genesys 0000Na9B26EF006E ${stack.genesys.targets[0]}`);
    await slash(`${CONTACTS.apizeePhone} nosuchvendor`);
    await slash('status LOG-A');
    await threadReply(/Apizee sent the invitation/);
    await threadReply(/Blitzz sent the invitation/);
    await threadReply(/Conpeek does not send invitations/);
    await threadReply(/2 invitations added/);
    await threadReply(/Imbee sent the web-chat link/);
    await threadReply(/Genesys brought/);

    // The stored contact decrypted and sent again: Resend on the Blitzz card.
    const card = await stack.slack.waitFor('chat.update', (call) => /LOG-B/.test(JSON.stringify(call.args.blocks)) && JSON.stringify(call.args.blocks).includes('Resend invitation'));
    const sessionId = JSON.stringify(card.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!;
    await stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.resend, value: sessionId, userId: STARTER, channelId: CHANNEL, messageTs: card.args.ts }));
    await threadReply(/sent the invitation again/);

    // The webhook secret in the URL (accepted), in a wrong method, on an unknown path, and wrong.
    const [ticket] = [...stack.apizee.tickets.values()];
    assert.equal((await post(`/webhooks/apizee?secret=${WEBHOOK_SECRET}`, { event: 'ticket.completed', data: { id: ticket!.id } })).status, 200);
    assert.equal((await post('/webhooks/apizee', { event: 'survey.answered' }, { 'x-webhook-secret': WEBHOOK_SECRET })).status, 200);
    // The header is preferred: it decides even when the URL carries another secret.
    assert.equal((await post('/webhooks/apizee?secret=stale', { event: 'survey.answered' }, { 'x-webhook-secret': WEBHOOK_SECRET })).status, 200);
    assert.equal((await post(`/webhooks/apizee?secret=${WEBHOOK_SECRET}`, { event: 'survey.answered' }, { 'x-webhook-secret': 'stale' })).status, 401);
    assert.equal((await fetch(`${stack.appUrl}/webhooks/apizee?secret=${WEBHOOK_SECRET}`)).status, 404);
    assert.equal((await post(`/webhooks/nosuchvendor?secret=${WEBHOOK_SECRET}`, {})).status, 404);
    assert.equal((await post(`/webhooks/apizee?secret=${WEBHOOK_SECRET}x`, {})).status, 401);
    await stack.close();

    // The contacts did reach the vendors (so they were there to leak)...
    assert.ok(stack.apizee.requests.some((request) => JSON.stringify(request).includes('612345678')));
    assert.ok(stack.imbee.tokens.some((token) => token.mail === CONTACTS.imbeeEmail));
    // ...and the logs are full of what happened (a scan of nothing proves nothing).
    const all = lines.join('');
    assert.ok(lines.length > 20, `${lines.length} lines`);
    for (const expected of ['session created', 'rendezvous is listening', 'unhandled http request']) assert.ok(all.toLowerCase().includes(expected), expected);

    const leaks: string[] = [];
    const phones = [CONTACTS.apizeePhone, CONTACTS.blitzzPhone, CONTACTS.conpeekPhone, CONTACTS.meetPhone].flatMap(phoneForms);
    const emails = [CONTACTS.imbeeEmail, CONTACTS.meetEmail].flatMap((email) => [email, email.split('@')[0]!, encodeURIComponent(email)]);
    for (const needle of [...phones, ...emails, WEBHOOK_SECRET]) {
      const line = lines.find((candidate) => candidate.includes(needle));
      if (line) leaks.push(`${needle} in ${line.slice(0, 300)}`);
    }
    assert.deepEqual(leaks, []);
    // The secret's line is still there, with its value masked.
    assert.ok(all.includes('secret=[redacted]') || !all.includes('secret='), 'any secret= is masked');
  });
});

describe('e2e: no Slack token, refresh token or OAuth secret in any log line (OAuth install)', function () {
  this.timeout(60_000);

  it('installs two workspaces, renews a token, serves and uninstalls, and logs none of their secrets', async () => {
    const captured = captureLogs('debug');
    const stack = await startLocalStack({ logger: captured.logger, oauth: true, vendors: ['apizee'], apizeeRatePerMinute: 600, slack: { tokenLifetimeSeconds: 3600 } });
    try {
      for (const team of ['T0LOGA', 'T0LOGB']) assert.equal((await installThroughOAuth(stack.appUrl, { team })).status, 200);
      assert.equal((await installThroughOAuth(stack.appUrl, { team: 'T0LOGC', withoutCookie: true })).status, 400);
      stack.slack.setTokenLifetime(43_200);
      await stack.requesterFor('T0LOGA').slash(`${CONTACTS.apizeePhone} ref:LOG-OAUTH`, { userId: STARTER, channelId: 'C0LOGA' });
      await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && call.args.channel === 'C0LOGA', 10_000);
      await stack.requesterFor('T0LOGB').event({ type: 'app_uninstalled' });
    } finally {
      await stack.close();
    }
    const exchanges = stack.slack.callsTo('oauth.v2.access');
    assert.ok(exchanges.some((call) => call.args.grant_type === 'refresh_token'), 'a token was renewed (so its secrets were there to leak)');
    const secrets = [
      ...['T0LOGA', 'T0LOGB'].flatMap((team) => stack.slack.tokensOf(team)),
      ...exchanges.flatMap((call) => [call.response.refresh_token, call.args.code, call.args.refresh_token]).filter((value): value is string => typeof value === 'string'),
      OAUTH_CLIENT.clientSecret,
      OAUTH_CLIENT.stateSecret,
    ];
    assert.ok(secrets.length >= 8, `${secrets.length} secrets`);
    const all = captured.lines.join('');
    for (const expected of ['installed in a workspace', 'token renewed', 'removed from a workspace']) assert.ok(all.includes(expected), expected);
    const leaks = secrets.filter((secret) => all.includes(secret)).map((secret) => `${secret.slice(0, 12)}… in ${captured.lines.find((line) => line.includes(secret))!.slice(0, 300)}`);
    assert.deepEqual(leaks, []);
  });
});
