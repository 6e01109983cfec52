import nock from 'nock';
import { stopSharedPostgres } from './helpers/databases.js';

// Unit tests never reach the network; end-to-end tests talk only to local sandboxes.
export const mochaHooks = {
  beforeAll(): void {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  },
  afterEach(): void {
    nock.cleanAll();
  },
  // The PostgreSQL server the storage tests share is started on first use (test/helpers/databases.ts).
  async afterAll(): Promise<void> {
    await stopSharedPostgres();
  },
};
