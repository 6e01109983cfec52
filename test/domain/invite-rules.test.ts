import assert from 'node:assert/strict';
import type { Contact } from '../../src/domain/contact.js';
import { checkInvite, checkMessage, deliveryFor } from '../../src/domain/invite-rules.js';
import { productOf } from '../../src/domain/product-catalogue.js';
import type { StartRequest } from '../../src/domain/start-request.js';
import { vendorModules } from '../../src/vendors/index.js';

const PHONE = { kind: 'phone', e164: '+33612345678', country: 'FR' } as const satisfies Contact;
const EMAIL = { kind: 'email', address: 'jane@example.com' } as const satisfies Contact;
const product = (vendor: string) => productOf(vendorModules, vendor, 'invite')!;
const request = (vendor: string, fields: Partial<StartRequest>): StartRequest => ({
  vendor,
  kind: product(vendor).kind,
  shape: 'invite',
  options: {},
  ...fields,
});

describe('invite rules', () => {
  it('counts a message in code points: 100 emoji fit Blitzz, 101 do not', () => {
    assert.equal(checkMessage(product('blitzz'), 'Blitzz', '👍'.repeat(100)), undefined);
    assert.deepEqual(checkMessage(product('blitzz'), 'Blitzz', '👍'.repeat(101)), {
      field: 'message',
      reason: 'Blitzz takes at most 100 characters; this message has 101.',
    });
  });

  it('defaults the delivery only for a product that delivers', () => {
    assert.equal(deliveryFor(product('apizee'), undefined, PHONE), 'sms');
    assert.equal(deliveryFor(product('apizee'), undefined, undefined, EMAIL), 'email');
    assert.equal(deliveryFor(product('conpeek'), 'sms', PHONE), undefined);
  });

  it("applies the declared deliveries, then the product's own check", () => {
    assert.deepEqual(checkInvite(product('apizee'), 'Apizee', request('apizee', { phone: PHONE, delivery: 'whatsapp' })), [
      { field: 'delivery', reason: 'Apizee delivers by SMS or e-mail only.' },
    ]);
    assert.deepEqual(checkInvite(product('conpeek'), 'Conpeek', request('conpeek', { phone: PHONE, delivery: 'sms' })), [
      { field: 'delivery', reason: 'Conpeek does not send invitations: you get the link to pass on.' },
    ]);
    assert.deepEqual(checkInvite(product('blitzz'), 'Blitzz', request('blitzz', { phone: PHONE, delivery: 'whatsapp', message: 'hi' })), [
      { field: 'message', reason: 'Blitzz fixes the WhatsApp text itself: leave the message empty for WhatsApp.' },
    ]);
    assert.deepEqual(checkInvite(product('blitzz'), 'Blitzz', request('blitzz', { phone: PHONE, message: 'hi' })), []);
  });
});
