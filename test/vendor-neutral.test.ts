import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The grammar, modal, form, card, home and replies are drawn from what the vendor modules declare:
 * outside src/vendors/ these files name no vendor (comments aside) and never import the modules.
 */
const SRC = new URL('../src/', import.meta.url).pathname;
const VENDOR = /apizee|blitzz|conpeek|imbee|genesys/i;
/** Every source file outside src/vendors/: `grep -rniE "apizee|…" src` finds vendor names only there. */
const files = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((name) => name.endsWith('.ts') && !name.startsWith('vendors'))
  .sort();

/** Drops comments, so a comment may still say which vendor document a rule comes from. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');

describe('vendor-neutral code', () => {
  for (const file of files) {
    it(`${file} names no vendor`, () => {
      const lines = code(readFileSync(join(SRC, file), 'utf8')).split('\n').filter((line) => VENDOR.test(line));
      assert.deepEqual(lines, []);
    });
  }

  it('covers the whole app outside src/vendors/', () => {
    assert.ok(files.length > 50, `${files.length} files`);
    assert.ok(files.includes(join('services', 'sessions.ts')) && files.includes('app.ts') && files.includes(join('domain', 'session.ts')));
  });

  it('ui/ and domain/ get the modules as data, never by import', () => {
    for (const file of files.filter((name) => name.startsWith('ui') || name.startsWith('domain'))) {
      assert.doesNotMatch(readFileSync(join(SRC, file), 'utf8'), /from '\.\.\/vendors\/(index|\w+\/)/, file);
    }
  });
});
