import nock from 'nock';
import type { ApizeeSettings } from '../../src/vendors/apizee/client.js';

/** The Apizee host the ApizeeClient tests mock with nock. */
export const APIZEE_BASE = 'https://apizee.test';
export const APIZEE_SETTINGS: ApizeeSettings = {
  apiUrl: 'https://apizee.test/api',
  username: 'agent@example.com',
  password: 'pw',
  enterpriseId: '1',
  agent: 'agent@example.com',
  ratePerMinute: 10,
  timeoutMs: 2000,
};
/** The query of the token request made with `APIZEE_SETTINGS`. */
export const APIZEE_LOGIN_QUERY = { grant_type: 'password', username: 'agent@example.com', password: 'pw' };

/** Mocks the token request made with `APIZEE_SETTINGS`, answering `token` (valid 24 h). */
export function apizeeLogin(token: string, scope = nock(APIZEE_BASE)): nock.Scope {
  return scope.post('/api/token').query(APIZEE_LOGIN_QUERY).reply(200, { access_token: token, expires_in: 86_400 });
}
