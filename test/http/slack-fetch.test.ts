import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { refusalOf, slackErrorReportingFetch } from '../../src/observability/slack-fetch.js';

describe('slackErrorReportingFetch (Slack API errors by method)', () => {
  let server: Server;
  let apiUrl: string;

  before(async () => {
    server = createServer((req, res) => {
      const method = (req.url ?? '').replace('/api/', '');
      if (method === 'chat.postMessage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"is_archived"}');
      if (method === 'chat.update') return res.writeHead(429, { 'retry-after': '1' }).end();
      if (method === 'views.open') return res.writeHead(503).end();
      // Spaced out, as a proxy or another Slack front end may write it.
      if (method === 'chat.delete') return res.writeHead(200, { 'content-type': 'application/json' }).end('{ "ok" : false, "error": "message_not_found" }');
      // Accepted answers that carry the words `"ok":false` elsewhere: never a refusal.
      if (method === 'chat.getPermalink') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"permalink":"x","note":"\\"ok\\":false","inner":{"ok":false}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports refusals, 429s, 5xx and network failures by method, and passes every answer on untouched', async () => {
    const errors: string[] = [];
    const send = slackErrorReportingFetch(apiUrl, (method, error) => errors.push(`${method}:${error}`));
    const refused = await send(`${apiUrl}chat.postMessage`, { method: 'POST' });
    assert.deepEqual(await refused.json(), { ok: false, error: 'is_archived' }, 'the client still reads the answer');
    assert.equal((await send(`${apiUrl}chat.update`, { method: 'POST' })).status, 429);
    assert.equal((await send(`${apiUrl}views.open`, { method: 'POST' })).status, 503);
    assert.deepEqual(await (await send(`${apiUrl}auth.test`, { method: 'POST' })).json(), { ok: true });
    // Not under the API URL (a response_url): passed through, never reported.
    await assert.rejects(send('http://127.0.0.1:1/api/chat.delete'));
    const closed = slackErrorReportingFetch('http://127.0.0.1:1/api/', (method, error) => errors.push(`${method}:${error}`));
    await assert.rejects(closed('http://127.0.0.1:1/api/chat.delete'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(errors.sort(), ['chat.delete:network', 'chat.postMessage:is_archived', 'chat.update:ratelimited', 'views.open:http_503']);
  });

  it('reports a refusal read by a real Web API client (it reads text()), and not an accepted answer quoting `"ok":false`', async () => {
    const errors: string[] = [];
    const client = new WebClient('xoxb-test', {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      fetch: slackErrorReportingFetch(apiUrl, (method, error) => errors.push(`${method}:${error}`)),
    });
    await assert.rejects(client.chat.delete({ channel: 'C1', ts: '1.2' }), /message_not_found/);
    const permalink = await client.chat.getPermalink({ channel: 'C1', message_ts: '1.2' });
    assert.equal(permalink.permalink, 'x', 'the client got the answer whole');
    assert.deepEqual((permalink as unknown as Record<string, unknown>).inner, { ok: false });
    assert.deepEqual(await client.auth.test(), { ok: true, response_metadata: {} });
    assert.deepEqual(errors, ['chat.delete:message_not_found']);
  });

  it('reads a refusal only from a top-level ok:false', () => {
    assert.equal(refusalOf('{"ok":false,"error":"is_archived"}'), 'is_archived');
    assert.equal(refusalOf('{"ok":false}'), 'unknown');
    assert.equal(refusalOf('{"ok":\tfalse,"error":"x"}'), 'x');
    assert.equal(refusalOf('{"ok":true,"inner":{"ok":false,"error":"no"}}'), undefined);
    assert.equal(refusalOf('{"ok":true,"text":"\\"ok\\":false"}'), undefined);
    assert.equal(refusalOf('not json "ok":false'), undefined);
    assert.equal(refusalOf('{"ok":true}'), undefined);
  });
});
