import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackErrorReportingFetch } from '../../src/observability/slack-fetch.js';

describe('slackErrorReportingFetch (Slack API errors by method)', () => {
  let server: Server;
  let apiUrl: string;

  before(async () => {
    server = createServer((req, res) => {
      const method = (req.url ?? '').replace('/api/', '');
      if (method === 'chat.postMessage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"is_archived"}');
      if (method === 'chat.update') return res.writeHead(429, { 'retry-after': '1' }).end();
      if (method === 'views.open') return res.writeHead(503).end();
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
});
