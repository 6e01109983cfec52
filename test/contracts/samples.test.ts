import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DOCUMENTS_DIR,
  contractSamples,
  contractVendors,
  keyDifference,
  readManifest,
} from './contract-samples.js';

/** Line ends and runs of blanks are not meaningful in the copied documents. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

describe('contract samples: every fixture is what its document prints', () => {
  const vendors = contractVendors();

  it('has a folder for each of the five vendors', () => {
    assert.deepEqual(vendors, ['apizee', 'blitzz', 'conpeek', 'genesys', 'imbee']);
  });

  for (const vendor of vendors) {
    describe(vendor, () => {
      const manifest = readManifest(vendor);
      const document = squeeze(readFileSync(join(DOCUMENTS_DIR, manifest.document), 'utf8'));
      const samples = contractSamples(vendor);

      it('has unique sample ids', () => {
        const ids = samples.map((entry) => entry.id);
        assert.deepEqual([...new Set(ids)], ids);
      });

      for (const entry of samples) {
        it(`${entry.id}: printed text appears in ${manifest.document}`, () => {
          assert.ok(
            document.includes(squeeze(entry.printed)),
            `${vendor}/${entry.id}.printed.txt is not in ${manifest.document} as printed`,
          );
        });

        it(`${entry.id}: is JSON as printed, or its hand normalisation says what changed`, () => {
          if (entry.normalisedByHand) {
            assert.ok(entry.normalised.length > 0, `${entry.id}.json exists but "normalised" is empty`);
          } else {
            assert.equal(entry.normalised.length, 0, `${entry.id}: "normalised" listed but no ${entry.id}.json`);
          }
        });
      }
    });
  }
});

describe('keyDifference', () => {
  it('names extra and missing key paths, arrays as the union of their rows', () => {
    const difference = keyDifference(
      { id: 1, rows: [{ a: 1 }, { a: 2, b: 3 }], extra: true },
      { id: 1, rows: [{ a: 1, c: 2 }] },
    );
    assert.deepEqual(difference, { extra: ['extra', 'rows[].b'], missing: ['rows[].c'] });
  });

  it('finds nothing between a sample and itself', () => {
    const body = { data: [{ id: 'x', nested: { y: 1 } }] };
    assert.deepEqual(keyDifference(body, structuredClone(body)), { extra: [], missing: [] });
  });
});
