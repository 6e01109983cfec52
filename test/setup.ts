import nock from 'nock';
import { migratedTemplate, postgresUrl, stopSharedPostgres, TEMPLATE_VARIABLE } from './helpers/databases.js';

/**
 * A parallel run (npm test): the main process starts the PostgreSQL server and migrates the
 * template once, before any worker starts, and hands both to the workers through their
 * environment (TEST_DATABASE_URL, TEST_DATABASE_TEMPLATE); it stops the server at the end. A
 * serial run (`npx mocha test/x.test.ts`) starts the server on first use instead, and its root
 * afterAll below stops it. `this` is mocha's runner.
 */
export async function mochaGlobalSetup(this: { isParallelMode?(): boolean }): Promise<void> {
  if (!this.isParallelMode?.()) return;
  const url = await postgresUrl();
  if (!url) return; // no PostgreSQL here: each worker says so and skips those tests
  process.env.TEST_DATABASE_URL = url;
  const template = await migratedTemplate();
  if (template) process.env[TEMPLATE_VARIABLE] = template;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopSharedPostgres();
}

// Unit tests never reach the network; end-to-end tests talk only to local sandboxes.
export const mochaHooks = {
  beforeAll(): void {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  },
  afterEach(): void {
    nock.cleanAll();
  },
  // The PostgreSQL server the storage tests share is started on first use (test/helpers/databases.ts);
  // in a parallel run this runs after each file, and the server given by the main process stays up.
  async afterAll(): Promise<void> {
    await stopSharedPostgres();
  },
};
