import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { correlationOf, RequestGate, requestCorrelationId } from '../../src/observability/request-gate.js';

/** A server behind the gate whose /slow requests wait until `release()`. */
async function gatedServer(gate: RequestGate) {
  const held: Array<() => void> = [];
  const seen: Array<string | undefined> = [];
  const server: Server = createServer(
    gate.wrap((req, res) => {
      seen.push(correlationOf(req)?.correlationId);
      const answer = () => res.end(`answered ${req.url}`);
      if (req.url === '/slow') held.push(answer);
      else answer();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    held,
    seen,
    get: (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        })
          .on('error', reject)
          .end();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('RequestGate', () => {
  it('gives each request its own correlation id', async () => {
    const gate = new RequestGate();
    const server = await gatedServer(gate);
    try {
      await server.get('/a');
      await server.get('/b');
      assert.equal(server.seen.length, 2);
      assert.match(server.seen[0]!, /^[0-9a-f-]{36}$/);
      assert.notEqual(server.seen[0], server.seen[1]);
    } finally {
      await server.close();
    }
  });

  it('once closed, answers 503 to new requests but /healthz and /metrics, and tells when the requests inside are answered', async () => {
    const gate = new RequestGate();
    const server = await gatedServer(gate);
    try {
      const slow = server.get('/slow');
      await until(() => server.held.length === 1);
      gate.close();
      assert.equal(gate.stopping, true);

      const refused = await server.get('/slack/events');
      assert.equal(refused.status, 503);
      assert.deepEqual(JSON.parse(refused.body), { ok: false, status: 'stopping' });
      assert.equal((await server.get('/readyz')).status, 503);
      assert.equal((await server.get('/healthz')).status, 200);
      assert.equal((await server.get('/metrics?x=1')).status, 200);

      assert.equal(await gate.drained(50), false, 'the slow request is still inside');
      const drained = gate.drained(5000);
      server.held[0]!();
      assert.equal(await drained, true);
      assert.equal((await slow).status, 200, 'the request in flight was answered');
    } finally {
      await server.close();
    }
  });

  it('counts other work (a Socket Mode event) as in flight until it settles', async () => {
    const gate = new RequestGate();
    let finish!: () => void;
    const work = gate.track(new Promise<void>((resolve) => (finish = resolve)));
    assert.equal(await gate.drained(20), false);
    finish();
    await work;
    assert.equal(await gate.drained(20), true);
  });
});

describe('requestCorrelationId (webhooks and our other routes)', () => {
  const requestWith = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;

  it('takes the caller’s X-Request-Id when it is letters, digits and dashes (64 at most)', () => {
    assert.equal(requestCorrelationId(requestWith({ 'x-request-id': 'lb-7f3a-0001' })), 'lb-7f3a-0001');
    assert.equal(requestCorrelationId(requestWith({ 'x-request-id': ['first-1', 'second-2'] })), 'first-1');
  });

  it('makes one of its own for anything else, and gives every line of the request the same one', () => {
    for (const given of ['a b', 'x'.repeat(65), '"},"level":60', '']) {
      const req = requestWith({ 'x-request-id': given });
      const id = requestCorrelationId(req);
      assert.match(id, /^[0-9a-f-]{36}$/, given);
      assert.equal(requestCorrelationId(req), id, 'the same id each time it is asked');
      assert.equal(correlationOf(req)?.correlationId, id);
    }
    assert.notEqual(requestCorrelationId(requestWith({})), requestCorrelationId(requestWith({})));
  });

  it('uses the id the gate gave the request when the caller sent none', async () => {
    const gate = new RequestGate();
    let seen: { gate?: string; route?: string } = {};
    const server = createServer(gate.wrap((req, res) => {
      seen = { gate: correlationOf(req)?.correlationId, route: requestCorrelationId(req) };
      res.end();
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => request({ host: '127.0.0.1', port, path: '/webhooks/apizee', agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject).end());
      assert.match(seen.route!, /^[0-9a-f-]{36}$/);
      assert.equal(seen.route, seen.gate);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
