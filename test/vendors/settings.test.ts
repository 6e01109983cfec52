import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { vendorModules } from '../../src/vendors/index.js';
import { apizeeVariables } from '../../src/vendors/apizee/settings.js';
import { blitzzVariables } from '../../src/vendors/blitzz/settings.js';
import { conpeekVariables } from '../../src/vendors/conpeek/settings.js';
import { genesysVariables } from '../../src/vendors/genesys/settings.js';
import { imbeeVariables } from '../../src/vendors/imbee/settings.js';

/** Each module's zod schema of its variables (src/vendors/<vendor>/settings.ts), by module name. */
const SCHEMAS: Record<string, Record<string, unknown>> = {
  apizee: apizeeVariables,
  blitzz: blitzzVariables,
  conpeek: conpeekVariables,
  genesys: genesysVariables,
  imbee: imbeeVariables,
};

describe('vendor module settings', () => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));

  for (const module of vendorModules) {
    it(`${module.name}: every setting field is in .env.example and named <VENDOR>_…`, () => {
      assert.ok(module.settings.fields.length > 0);
      for (const field of module.settings.fields) {
        assert.ok(documented.has(field.env), `${field.env} is missing from .env.example`);
        assert.ok(field.env.startsWith(`${module.name.toUpperCase()}_`), field.env);
        assert.ok(field.label && field.help, `${field.env} needs a label and a help line`);
      }
    });
  }

  it('parses exactly the variables its fields declare, in the same order', () => {
    for (const module of vendorModules) {
      const schema = SCHEMAS[module.name];
      assert.ok(schema, `${module.name} has no schema listed here`);
      assert.deepEqual(Object.keys(schema), module.settings.fields.map((field) => field.env), module.name);
    }
  });

  it('marks passwords, keys and tokens secret', () => {
    const fields = vendorModules.flatMap((module) => module.settings.fields);
    for (const field of fields.filter((item) => /PASSWORD|SECRET|_KEY$|TOKEN|_AUTH$/.test(item.env))) {
      assert.equal(field.secret, true, field.env);
    }
  });

  it('lists every problem of a form by variable: each field wrong in itself, or the credentials missing', () => {
    const apizee = vendorModules.find((module) => module.name === 'apizee')!;
    const common = { timeoutMs: 15_000 };
    assert.deepEqual(apizee.settings.problems!({ APIZEE_API_URL: 'ftp://x', APIZEE_RATE_LIMIT_PER_MINUTE: 'ten', APIZEE_USERNAME: 'alpha' }, common), [
      { variable: 'APIZEE_API_URL', reason: 'must be an http(s) URL' },
      { variable: 'APIZEE_RATE_LIMIT_PER_MINUTE', reason: 'must be a whole number' },
    ]);
    assert.deepEqual(apizee.settings.problems!({ APIZEE_USERNAME: 'alpha' }, common), [
      { variable: 'APIZEE_PASSWORD', reason: 'is required once any APIZEE_ credential is set' },
    ]);
    assert.deepEqual(
      apizee.settings.problems!({}, common).map((problem) => problem.variable),
      ['APIZEE_USERNAME', 'APIZEE_PASSWORD', 'APIZEE_ENTERPRISE_ID', 'APIZEE_AGENT'],
      'nothing at all: every credential is asked for',
    );
    for (const module of vendorModules) {
      const required = module.settings.fields.filter((field) => field.required);
      assert.ok(required.length > 0, `${module.name} names its credentials`);
      const filled = Object.fromEntries(required.map((field) => [field.env, field.env.endsWith('_URL') ? 'https://vendor.example' : '1']));
      assert.deepEqual(module.settings.problems!(filled, common), [], module.name);
      assert.notEqual(module.settings.read(filled, common), undefined, module.name);
    }
  });

  it('leaves an unconfigured vendor out', () => {
    for (const module of vendorModules) assert.equal(module.settings.read({}, { timeoutMs: 15_000 }), undefined, module.name);
  });
});
