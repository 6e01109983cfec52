import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Runs the same check as `npm run lint` on `src/` under `cwd`. */
function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A throwaway src/ tree with the given files, so a forbidden import never touches the real one. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-layers-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('architecture: dependencies go one way (npm run lint)', function () {
  this.timeout(30_000);
  const made: string[] = [];
  const use = (files: Record<string, string>) => {
    const dir = tree(files);
    made.push(dir);
    return dir;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('passes on the real src/', () => {
    const { status, output } = cruise(root);
    assert.equal(status, 0, output);
  });

  const forbidden: Array<[string, Record<string, string>, string]> = [
    [
      'domain importing the store',
      { 'src/domain/session.ts': "import type { Db } from '../store/database.js';\nexport type S = Db;\n", 'src/store/database.ts': 'export type Db = 1;\n' },
      'domain-is-the-bottom',
    ],
    [
      'a vendor module importing another (type-only counts)',
      { 'src/vendors/alpha/client.ts': "import type { B } from '../beta/client.js';\nexport type A = B;\n", 'src/vendors/beta/client.ts': 'export type B = 1;\n' },
      'vendor-modules-stand-alone',
    ],
    [
      'services importing tracking',
      { 'src/services/sessions.ts': "import { flush } from '../tracking/outbox.js';\nexport const go = flush;\n", 'src/tracking/outbox.ts': 'export const flush = 1;\n' },
      'services-only-below',
    ],
    [
      'ui importing a vendor',
      { 'src/ui/home.ts': "import { health } from '../vendors/health.js';\nexport const h = health;\n", 'src/vendors/health.ts': 'export const health = 1;\n' },
      'ui-only-below',
    ],
    [
      'domain doing I/O',
      { 'src/domain/reference.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" },
      'domain-and-ui-do-no-io',
    ],
    [
      'a row type leaving the store',
      { 'src/services/sessions.ts': "import type { SessionRow } from '../store/schema.js';\nexport type S = SessionRow;\n", 'src/store/schema.ts': 'export type SessionRow = 1;\n' },
      'rows-stay-in-the-store',
    ],
    [
      'a cycle',
      { 'src/services/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n", 'src/services/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n" },
      'no-circular',
    ],
  ];
  for (const [what, files, rule] of forbidden) {
    it(`fails on ${what}`, () => {
      const { status, output } = cruise(use(files));
      assert.notEqual(status, 0, output);
      assert.match(output, new RegExp(`error ${rule}`));
    });
  }

  it('passes on the same tree without the forbidden import', () => {
    const { status, output } = cruise(use({ 'src/domain/session.ts': 'export type S = 1;\n', 'src/store/database.ts': "import type { S } from '../domain/session.js';\nexport type Db = S;\n" }));
    assert.equal(status, 0, output);
  });
});
