import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { correlationOf, RequestGate } from '../../src/observability/request-gate.js';

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
