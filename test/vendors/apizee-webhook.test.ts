import assert from 'node:assert/strict';
import { apizeeWebhook } from '../../src/vendors/apizee/webhook.js';

describe('Apizee webhook routing', () => {
  const hook = apizeeWebhook('hook-secret');

  it('names the ticket of a ticket event, by ticket.id, data.ticket_id, data.id or objectId', () => {
    assert.deepEqual(hook.route({ event: 'ticket.completed', ticket: { id: 42 } }), { kind: 'ticket', vendorId: '42', event: 'ticket.completed' });
    assert.deepEqual(hook.route({ type: 'session.started', data: { ticket_id: '7' } }), { kind: 'ticket', vendorId: '7', event: 'session.started' });
    assert.deepEqual(hook.route({ event: 'media.added', data: { id: 9 } }), { kind: 'ticket', vendorId: '9', event: 'media.added' });
    assert.deepEqual(hook.route({ event: 'ticket.closed', objectId: 'T-3' }), { kind: 'ticket', vendorId: 'T-3', event: 'ticket.closed' });
  });

  it('names the conference of a conversation event', () => {
    assert.deepEqual(hook.route({ event: 'x', object: 'conversation', data: { id: 5 } }), { kind: 'conference', vendorId: '5', event: 'x' });
  });

  it('ignores other events and rejects a body that is not an object', () => {
    assert.deepEqual(hook.route({ event: 'user.created' }), { ignored: 'user.created' });
    assert.deepEqual(hook.route([1, 2]), { rejected: 'unexpected body' });
  });

  it('keeps the secret for the route to compare', () => {
    assert.equal(hook.secret, 'hook-secret');
  });
});
