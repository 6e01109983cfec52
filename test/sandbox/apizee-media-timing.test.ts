/**
 * The Apizee sandbox's media timing and lost answers: a recording listed while `processing` then
 * `completed` (the seed's item, same keys), files appearing during a live meeting and after an
 * end, and a creation carried out whose answer is lost.
 */
import assert from 'node:assert/strict';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { closedAfterEach } from '../helpers/sandboxes.js';

const AGENT = { username: 'agent@example.com', password: 'secret', enterpriseId: 1 };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Apizee sandbox: media timing and lost answers', () => {
  const start = closedAfterEach(() => startApizeeSandbox({ accounts: [AGENT], ratePerMinute: 1000 }));

  async function call(sandbox: ApizeeSandbox, method: string, path: string, token?: string, query: Record<string, string> = {}, signal?: AbortSignal) {
    const url = new URL(sandbox.url + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const response = await fetch(url, { method, signal, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const text = await response.text();
    let body: Json | string = text;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      // kept as text
    }
    return { status: response.status, body };
  }

  async function token(sandbox: ApizeeSandbox): Promise<string> {
    const result = await call(sandbox, 'POST', '/token', undefined, { grant_type: 'password', username: AGENT.username, password: AGENT.password });
    return (result.body as Json).access_token as string;
  }

  it('lists a recording as processing, then completed, with the same seed keys; live and after the end', async () => {
    const sandbox = await start();
    const bearer = await token(sandbox);
    const conference = (await call(sandbox, 'POST', '/conferences', bearer, { participants: 'jane@example.com' })).body as Json;
    sandbox.setConferenceStatus(conference.id, 'ongoing');
    const recording = sandbox.addConferenceRecording(conference.id, { status: 'processing' });
    const live = (await call(sandbox, 'GET', `/conferences/${conference.id}/media`, bearer)).body as Json;
    assert.equal(live.data[0].status, 'processing', 'listed during the live meeting, not ready');
    const processingKeys = Object.keys(live.data[0]);

    sandbox.completeConferenceRecording(conference.id, recording.id);
    sandbox.setConferenceStatus(conference.id, 'ended');
    sandbox.addConferenceRecording(conference.id, { title: 'after-end' });
    const after = (await call(sandbox, 'GET', `/conferences/${conference.id}/media`, bearer, { order: 'asc' })).body as Json;
    assert.deepEqual(after.data.map((item: Json) => item.status), ['completed', 'completed']);
    assert.deepEqual(Object.keys(after.data[0]), processingKeys, 'the same field set whatever the status');
    assert.equal(after.data[1].title, 'after-end');
    assert.throws(() => sandbox.completeConferenceRecording(conference.id, 1), /has no media 1/);
  });

  it('carries out a POST /tickets whose answer is lost: unreadable (200, not JSON), or never sent', async () => {
    const sandbox = await start();
    const bearer = await token(sandbox);
    const query = { phone: '+33612345678', agent: 'agent@example.com', invite: '1', reference: 'CASE-L' };
    sandbox.loseNextAnswer('POST', /^\/api\/tickets$/, 'unreadable');
    const unreadable = await call(sandbox, 'POST', '/tickets', bearer, query);
    assert.equal(unreadable.status, 200);
    assert.equal(typeof unreadable.body, 'string');
    assert.equal(sandbox.tickets.size, 1, 'the ticket was created');

    sandbox.loseNextAnswer('POST', /^\/api\/tickets$/, 'timeout');
    await assert.rejects(call(sandbox, 'POST', '/tickets', bearer, query, AbortSignal.timeout(300)));
    assert.equal(sandbox.tickets.size, 2, 'created, though never answered');

    // Only the next matching request loses its answer; the lookup finds both tickets.
    const found = (await call(sandbox, 'GET', '/tickets', bearer, { reference: 'CASE-L' })).body as Json;
    assert.equal(found.total, 2);
    const third = await call(sandbox, 'POST', '/tickets', bearer, query);
    assert.equal((third.body as Json).reference, 'CASE-L');
  });

  it('lists ticket medias added after the end', async () => {
    const sandbox = await start();
    const bearer = await token(sandbox);
    const ticket = (await call(sandbox, 'POST', '/tickets', bearer, { phone: '+33612345678', agent: 'agent@example.com', invite: '1' })).body as Json;
    sandbox.setTicketState(ticket.id, 'inprogress');
    sandbox.setTicketState(ticket.id, 'done');
    assert.equal(((await call(sandbox, 'GET', `/enterprises/1/tickets/${ticket.id}/medias`, bearer)).body as Json).count, 0);
    sandbox.addTicketMedia(ticket.id, { title: 'late', type: 'image/jpeg' });
    const medias = (await call(sandbox, 'GET', `/enterprises/1/tickets/${ticket.id}/medias`, bearer)).body as Json;
    assert.deepEqual(medias.medias.map((media: Json) => media.title), ['late']);
    assert.equal('status' in medias.medias[0], false, 'no field the document does not show');
  });
});
