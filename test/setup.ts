import nock from 'nock';

// Unit tests never reach the network; end-to-end tests talk only to local sandboxes.
export const mochaHooks = {
  beforeAll(): void {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  },
  afterEach(): void {
    nock.cleanAll();
  },
};
