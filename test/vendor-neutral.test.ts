import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The grammar, modal, form, card, home and replies are drawn from what the vendor modules declare:
 * outside src/vendors/ these files name no vendor (comments aside) and never import the modules.
 */
const SRC = new URL('../src/', import.meta.url).pathname;
const VENDOR = /apizee|blitzz|conpeek|imbee|genesys/i;
const files = [
  ...readdirSync(join(SRC, 'ui')).map((name) => join('ui', name)),
  ...['command-grammar.ts', 'invite-rules.ts', 'product-catalogue.ts', 'start-request.ts', 'delivery.ts', 'vendor-module.ts'].map((name) => join('domain', name)),
  ...['command-requests.ts', 'invite-modals.ts', 'vendor-directory.ts', 'home.ts', 'card-publisher.ts', 'provider-registry.ts'].map((name) => join('services', name)),
];

/** Drops comments, so a comment may still say which vendor document a rule comes from. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');

describe('vendor-neutral code', () => {
  for (const file of files) {
    it(`${file} names no vendor`, () => {
      const lines = code(readFileSync(join(SRC, file), 'utf8')).split('\n').filter((line) => VENDOR.test(line));
      assert.deepEqual(lines, []);
    });
  }

  it('ui/ and domain/ get the modules as data, never by import', () => {
    for (const file of files.filter((name) => name.startsWith('ui') || name.startsWith('domain'))) {
      assert.doesNotMatch(readFileSync(join(SRC, file), 'utf8'), /from '\.\.\/vendors\/(index|\w+\/)/, file);
    }
  });
});
