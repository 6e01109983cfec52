import assert from 'node:assert/strict';
import { SettingsError } from '../../src/domain/vendor-module.js';
import { blitzz } from '../../src/vendors/blitzz/index.js';

const CREDENTIALS = { BLITZZ_SECRET_KEY: 'sk', BLITZZ_USERNAME: 'agent@example.com', BLITZZ_PASSWORD: 'pw' };
const COMMON = { timeoutMs: 15_000 };

function read(env: Record<string, string>) {
  return blitzz.settings.read({ ...CREDENTIALS, ...env }, COMMON);
}

function refusal(env: Record<string, string>): SettingsError {
  try {
    read(env);
  } catch (error) {
    assert.ok(error instanceof SettingsError, String(error));
    return error;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

describe('Blitzz settings', () => {
  describe('BLITZZ_INVITATION_TYPES (seed 000 numbers its channels 1-3 in prose, 1-6 in its schema)', () => {
    it("defaults to the prose's numbering: 1 SMS, 2 WhatsApp, 3 e-mail", () => {
      assert.deepEqual(read({})?.invitationTypes, { sms: 1, whatsapp: 2, email: 3 });
      assert.deepEqual(read({ BLITZZ_INVITATION_TYPES: '' })?.invitationTypes, { sms: 1, whatsapp: 2, email: 3 });
    });

    it('takes a number for each channel it names, the others keeping the default', () => {
      assert.deepEqual(read({ BLITZZ_INVITATION_TYPES: 'whatsapp=4' })?.invitationTypes, { sms: 1, whatsapp: 4, email: 3 });
      assert.deepEqual(read({ BLITZZ_INVITATION_TYPES: ' email = 6 , sms=5 ' })?.invitationTypes, { sms: 5, whatsapp: 2, email: 6 });
    });

    const wrong: Array<[string, string]> = [
      ['a number outside the schema enum (0)', 'sms=0'],
      ['a number outside the schema enum (7)', 'email=7'],
      ['a fraction', 'sms=1.5'],
      ['an unknown channel', 'fax=4'],
      ['a missing number', 'sms='],
      ['another form', 'sms:1'],
    ];
    for (const [name, value] of wrong) {
      it(`refuses ${name}, naming the variable and the form`, () => {
        const error = refusal({ BLITZZ_INVITATION_TYPES: value });
        assert.equal(error.variable, 'BLITZZ_INVITATION_TYPES');
        assert.equal(error.reason, 'must look like sms=1,whatsapp=2,email=3 (each 1-6)');
      });
    }

    it('refuses two channels with one number, since Blitzz could not tell them apart', () => {
      const error = refusal({ BLITZZ_INVITATION_TYPES: 'whatsapp=3' });
      assert.equal(error.variable, 'BLITZZ_INVITATION_TYPES');
      assert.equal(error.reason, 'gives two channels the same number');
    });

    it('has a label and a help line naming the default', () => {
      const field = blitzz.settings.fields.find((item) => item.env === 'BLITZZ_INVITATION_TYPES');
      assert.ok(field?.label);
      assert.match(field.help, /default sms=1,whatsapp=2,email=3/);
      assert.equal(field.secret, false);
    });
  });
});
