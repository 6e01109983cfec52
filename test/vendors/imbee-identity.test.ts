import assert from 'node:assert/strict';
import nock from 'nock';
import type { StartRequest } from '../../src/domain/start-request.js';
import type { VendorDeps } from '../../src/domain/vendor-module.js';
import { createLogger } from '../../src/logger.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { virtualUserFor } from '../../src/vendors/imbee/client.js';
import { connectImbee } from '../../src/vendors/imbee/connect.js';
import { sessionFixture } from '../helpers/databases.js';

const BASE = 'https://imbee.test';
const EMAIL = 'jane@example.com';
const REQUEST: StartRequest = {
  vendor: 'imbee',
  kind: 'webchat',
  shape: 'invite',
  email: { kind: 'email', address: EMAIL },
  delivery: 'email',
  options: {},
};

/** Deps whose pseudonym key, like the app's, is known only once it has been read from the database. */
function depsWithKeyLoadedLater(): { deps: VendorDeps; load(key: string): void } {
  let key: string | undefined;
  const deps: VendorDeps = {
    logger: createLogger('silent'),
    health: new VendorHealth(),
    trackIntervalMs: 1000,
    get pseudonymKey(): string {
      if (key === undefined) throw new Error('not loaded yet');
      return key;
    },
  };
  return { deps, load: (value) => (key = value) };
}

function answerWithVirtualUser(): Promise<string> {
  return new Promise((resolve) => {
    nock(BASE)
      .post('/token/new')
      .reply(200, (_uri, body) => {
        resolve((body as { virtual_user: string }).virtual_user);
        return {
          time: 0,
          code: 0,
          message: 'Ok',
          body: { url: 'https://webchat.imbee.example/?token=1', user_idsha: 'idsha', date_limit: '2030-01-01', max_retries: 10, previously_created: false },
        };
      });
  });
}

describe('Imbee virtual_user and the pinned identity key', () => {
  const settings = { apiUrl: BASE, auth: 'a', corporateToken: 'c', botIdsha: 'bot', timeoutMs: 2000 };

  it('reads the key when a session is created, not when the module connects (the app loads it at start)', async () => {
    const { deps, load } = depsWithKeyLoadedLater();
    const connection = connectImbee(settings, deps);
    load('pinned-key-1');
    const sent = answerWithVirtualUser();
    await connection.providers[0]!.create(sessionFixture({ vendor: 'imbee', kind: 'webchat' }), REQUEST);
    assert.equal(await sent, virtualUserFor(EMAIL, 'pinned-key-1'));
  });
});
