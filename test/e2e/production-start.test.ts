import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReplica, type Replica } from '../helpers/replica.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START = join(ROOT, 'scripts', 'start.mjs');

/** `node scripts/start.mjs` in a copy of the layout it checks: dist/main.js and src/. */
function startIn(files: { dist?: Date; src?: Date }): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-start-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    cpSync(START, join(dir, 'scripts', 'start.mjs'));
    mkdirSync(join(dir, 'src', 'domain'), { recursive: true });
    writeFileSync(join(dir, 'src', 'domain', 'session.ts'), 'export {};\n');
    if (files.src) utimesSync(join(dir, 'src', 'domain', 'session.ts'), files.src, files.src);
    if (files.dist) {
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist', 'main.js'), "console.log('the app ran');\n");
      utimesSync(join(dir, 'dist', 'main.js'), files.dist, files.dist);
    }
    const result = spawnSync(process.execPath, [join(dir, 'scripts', 'start.mjs')], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('production start: npm run build, then npm start runs dist/ without compiling', function () {
  this.timeout(120_000);

  it('refuses to start without dist/, saying to build first', () => {
    const { status, output } = startIn({});
    assert.equal(status, 1);
    assert.match(output, /not built.*npm run build/);
  });

  it('refuses a dist/ older than src/, saying to build first', () => {
    const { status, output } = startIn({ dist: new Date('2026-01-01'), src: new Date('2026-02-01') });
    assert.equal(status, 1);
    assert.match(output, /older sources.*npm run build/);
  });

  it('runs a dist/ built after the last change to src/', () => {
    const { status, output } = startIn({ dist: new Date('2026-02-01'), src: new Date('2026-01-01') });
    assert.equal(status, 0, output);
    assert.match(output, /the app ran/);
  });

  describe('the real build', () => {
    const replicas: Replica[] = [];
    let dataDir: string;

    before(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-replicas-'));
      const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
    });
    after(async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('holds the app alone: no sandbox, no Slack stand-in', () => {
      const files = readdirSync(join(ROOT, 'dist'), { recursive: true }).map(String);
      assert.ok(files.includes('main.js'));
      assert.deepEqual(files.filter((file) => /sandbox|slack-api|slack-requests|local-stack/.test(file)), []);
      assert.equal(existsSync(join(ROOT, 'dist', 'sandbox')), false);
    });

    it('starts two replicas at the same moment from one checkout, both answering /healthz', async () => {
      const env = (name: string) => ({
        SLACK_SIGNING_SECRET: 'test-signing-secret',
        SLACK_BOT_TOKEN: 'xoxb-test',
        // Nothing to reach: the replicas only have to come up and answer their health check.
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATABASE_URL: `file:${join(dataDir, `${name}.db`)}`,
      });
      const started = Date.now();
      const both = await Promise.all([startReplica(env('a'), 20_000, [START]), startReplica(env('b'), 20_000, [START])]);
      replicas.push(...both);
      const elapsed = Date.now() - started;
      for (const replica of both) {
        const response = await fetch(`${replica.url}/healthz`);
        assert.equal(response.status, 200);
      }
      // The figure to watch is in `npm run bench`; here only a gross regression (compiling on start) fails.
      assert.ok(elapsed < 10_000, `two replicas took ${elapsed} ms to come up`);
    });
  });
});
