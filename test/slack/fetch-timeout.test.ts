import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';
import { fetchWithTimeout } from '../../src/slack/fetch-timeout.js';

describe('fetchWithTimeout (Web API clients that must give up)', () => {
  let server: Server;
  let base: string;
  const held: ServerResponse[] = [];

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/api/slow') return void held.push(res); // never answered
      if (req.url === '/api/stalled-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ok":');
        return void held.push(res); // the rest never comes
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  after(async () => {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails a request with no answer within the time, as a TimeoutError', async () => {
    const started = Date.now();
    await assert.rejects(fetchWithTimeout(100)(`${base}slow`, { method: 'POST' }), (error: Error) => error.name === 'TimeoutError');
    assert.ok(Date.now() - started < 2000);
  });

  it('fails the reading of an answer whose body stalls', async () => {
    const response = await fetchWithTimeout(150)(`${base}stalled-body`, { method: 'POST' });
    assert.equal(response.status, 200);
    await assert.rejects(response.text());
  });

  it('clears its timer once the answer is read: nothing is aborted afterwards', async () => {
    const signals: AbortSignal[] = [];
    const send: typeof fetch = (input, init) => {
      signals.push(init!.signal!);
      return globalThis.fetch(input, init);
    };
    const response = await fetchWithTimeout(50, send)(`${base}fast`, { method: 'POST' });
    assert.deepEqual(await response.json(), { ok: true });
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(signals[0]!.aborted, false);
  });

  it('keeps the caller’s own signal working', async () => {
    const caller = new AbortController();
    const call = fetchWithTimeout(5000)(`${base}slow`, { method: 'POST', signal: caller.signal });
    caller.abort(new Error('caller gave up'));
    await assert.rejects(call, /caller gave up/);
  });

  it('makes a Web API client without retries give up, as its own timeout would', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: base, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 }, fetch: fetchWithTimeout(100) });
    await assert.rejects(client.apiCall('slow'), (error: { code?: string }) => error.code === 'slack_webapi_request_error');
    assert.equal((await client.apiCall('auth.test')).ok, true);
  });
});
