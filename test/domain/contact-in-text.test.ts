import assert from 'node:assert/strict';
import { contactsInText } from '../../src/domain/contact-in-text.js';

describe('contactsInText', () => {
  it('finds an international phone and an e-mail in a message', () => {
    const found = contactsInText('Customer Jane (<mailto:jane.doe@example.com|jane.doe@example.com>) asks for a call on +33 6 12 34 56 78 today');
    assert.deepEqual(found.email, { kind: 'email', address: 'jane.doe@example.com' });
    assert.equal(found.phone?.e164, '+33612345678');
  });

  it('finds a tel: link and ignores numbers without a country code', () => {
    assert.equal(contactsInText('call <tel:+447400123456|07400 123456> please').phone?.e164, '+447400123456');
    assert.equal(contactsInText('order 0612345678 shipped').phone, undefined);
  });

  it('finds nothing in a message without contacts', () => {
    assert.deepEqual(contactsInText('The router is blinking red.'), { phone: undefined, email: undefined });
  });
});
