import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const MINIMAL = { SLACK_SIGNING_SECRET: 'signing-secret', SLACK_BOT_TOKEN: 'xoxb-1-bot', ENCRYPTION_KEY: KEY };

/** Loads MINIMAL with `changes` applied (undefined removes a variable) and returns the ConfigError. */
function configError(changes: Record<string, string | undefined>): ConfigError {
  const env: Record<string, string | undefined> = { ...MINIMAL, ...changes };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(changes)}`);
}

describe('loadConfig', () => {
  it('applies the defaults to a minimal environment', () => {
    const config = loadConfig(MINIMAL);
    assert.equal(config.port, 3000);
    assert.equal(config.slack.apiUrl, 'https://slack.com/api/');
    assert.equal(config.slack.botToken, 'xoxb-1-bot');
    assert.equal(config.slack.signingSecret, 'signing-secret');
    assert.equal(config.trackIntervalMs, 30_000);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.vendors, {});
    assert.equal(config.databaseUrl, undefined);
    assert.deepEqual(config.encryptionKey, Buffer.alloc(32, 7));
    assert.equal(config.encryptionKeyPrevious, undefined);
  });

  it('reads ENCRYPTION_KEY_PREVIOUS for a key rotation', () => {
    const previous = Buffer.alloc(32, 9);
    const config = loadConfig({ ...MINIMAL, ENCRYPTION_KEY_PREVIOUS: ` ${previous.toString('base64')} ` });
    assert.deepEqual(config.encryptionKeyPrevious, previous);
    assert.deepEqual(config.encryptionKey, Buffer.alloc(32, 7));
    assert.equal(loadConfig({ ...MINIMAL, ENCRYPTION_KEY_PREVIOUS: '' }).encryptionKeyPrevious, undefined);
  });

  it('reads OAuth install (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET) instead of a bot token', () => {
    const oauth = { SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-long-enough-state-secret' };
    const config = loadConfig({ ...MINIMAL, SLACK_BOT_TOKEN: undefined, ...oauth });
    assert.equal(config.slack.botToken, undefined);
    assert.deepEqual(config.slack.oauth, { clientId: '123.456', clientSecret: 'client-secret', stateSecret: 'a-long-enough-state-secret' });
    // `NAME=` lines of .env.example leave single-workspace mode as it was.
    const single = loadConfig({ ...MINIMAL, SLACK_CLIENT_ID: '', SLACK_CLIENT_SECRET: ' ', SLACK_STATE_SECRET: '' });
    assert.equal(single.slack.oauth, undefined);
    assert.equal(single.slack.botToken, 'xoxb-1-bot');
  });

  it('adds the trailing slash to SLACK_API_URL', () => {
    assert.equal(loadConfig({ ...MINIMAL, SLACK_API_URL: 'http://127.0.0.1:4000/api' }).slack.apiUrl, 'http://127.0.0.1:4000/api/');
  });

  it('keeps sessions RETENTION_DAYS after their last activity, 90 by default', () => {
    assert.equal(loadConfig(MINIMAL).retentionDays, 90);
    assert.equal(loadConfig({ ...MINIMAL, RETENTION_DAYS: ' 30 ' }).retentionDays, 30);
  });

  it('accepts a fractional TRACK_INTERVAL_SECONDS', () => {
    assert.equal(loadConfig({ ...MINIMAL, TRACK_INTERVAL_SECONDS: '0.5' }).trackIntervalMs, 500);
  });

  it('builds the Apizee settings when all four credentials are set', () => {
    const config = loadConfig({
      ...MINIMAL,
      APIZEE_API_URL: 'https://apizee.test/api/',
      APIZEE_USERNAME: 'agent@example.com',
      APIZEE_PASSWORD: 'pw',
      APIZEE_ENTERPRISE_ID: '1',
      APIZEE_AGENT: 'agent@example.com',
    });
    assert.deepEqual(config.vendors.apizee, {
      apiUrl: 'https://apizee.test/api',
      username: 'agent@example.com',
      password: 'pw',
      enterpriseId: '1',
      agent: 'agent@example.com',
      ratePerMinute: 10,
      timeoutMs: 15_000,
      webhookSecret: undefined,
    });
    assert.deepEqual(Object.keys(config.vendors), ['apizee']);
  });

  it('reads each configured vendor through its module, with the common timeout', () => {
    const config = loadConfig({
      ...MINIMAL,
      VENDOR_TIMEOUT_SECONDS: '2',
      CONPEEK_API_URL: 'https://conpeek.test/api/',
      CONPEEK_API_KEY: 'key',
      CONPEEK_BRIDGE_ID: '7',
      GENESYS_API_URL: 'https://gws.test',
      GENESYS_USERNAME: 'u',
      GENESYS_PASSWORD: 'p',
    });
    assert.deepEqual(config.vendors.conpeek, { apiUrl: 'https://conpeek.test/api', apiKey: 'key', bridgeId: 7, roomId: undefined, project: undefined, timeoutMs: 2000 });
    assert.equal((config.vendors.genesys as { smsPath?: string } | undefined)?.smsPath, 'me/smssessions');
    assert.deepEqual(Object.keys(config.vendors), ['conpeek', 'genesys']);
  });

  it('treats an empty variable (`NAME=` in .env) as unset', () => {
    const config = loadConfig({ ...MINIMAL, PORT: '', TRACK_INTERVAL_SECONDS: ' ', SLACK_APP_TOKEN: '' });
    assert.equal(config.port, 3000);
    assert.equal(config.trackIntervalMs, 30_000);
    assert.equal(config.slack.appToken, undefined);
    assert.equal(configError({ ENCRYPTION_KEY: '' }).message, 'Configuration error: ENCRYPTION_KEY is required');
  });

  const failures: Array<[string, Record<string, string | undefined>, string]> = [
    ['missing ENCRYPTION_KEY', { ENCRYPTION_KEY: undefined }, 'Configuration error: ENCRYPTION_KEY is required'],
    [
      'ENCRYPTION_KEY of 16 bytes',
      { ENCRYPTION_KEY: Buffer.alloc(16, 1).toString('base64') },
      'Configuration error: ENCRYPTION_KEY must be 32 random bytes in base64 (openssl rand -base64 32)',
    ],
    [
      'ENCRYPTION_KEY_PREVIOUS of 16 bytes',
      { ENCRYPTION_KEY_PREVIOUS: Buffer.alloc(16, 1).toString('base64') },
      'Configuration error: ENCRYPTION_KEY_PREVIOUS must be 32 random bytes in base64 (openssl rand -base64 32)',
    ],
    [
      'ENCRYPTION_KEY_PREVIOUS equal to ENCRYPTION_KEY',
      { ENCRYPTION_KEY_PREVIOUS: Buffer.alloc(32, 7).toString('base64') },
      'Configuration error: ENCRYPTION_KEY_PREVIOUS must differ from ENCRYPTION_KEY (unset it once a rotation is over)',
    ],
    ['PORT=abc', { PORT: 'abc' }, 'Configuration error: PORT must be a port number'],
    ['RETENTION_DAYS=abc', { RETENTION_DAYS: 'abc' }, 'Configuration error: RETENTION_DAYS must be a number of days'],
    ['RETENTION_DAYS=0', { RETENTION_DAYS: '0' }, 'Configuration error: RETENTION_DAYS must be at least 1 day'],
    ['RETENTION_DAYS=1.5', { RETENTION_DAYS: '1.5' }, 'Configuration error: RETENTION_DAYS must be a whole number of days'],
    ['TRACK_INTERVAL_SECONDS=0', { TRACK_INTERVAL_SECONDS: '0' }, 'Configuration error: TRACK_INTERVAL_SECONDS must be a number above 0'],
    [
      'DATABASE_URL=mysql://x',
      { DATABASE_URL: 'mysql://x' },
      'Configuration error: DATABASE_URL must start with postgres://, postgresql:// or file:',
    ],
    [
      'SLACK_APP_TOKEN that is not xapp-',
      { SLACK_APP_TOKEN: 'xoxb-123-secret' },
      'Configuration error: SLACK_APP_TOKEN must be an app-level token (xapp-…)',
    ],
    [
      'APIZEE_USERNAME without APIZEE_PASSWORD',
      { APIZEE_USERNAME: 'agent@example.com', APIZEE_ENTERPRISE_ID: '1', APIZEE_AGENT: 'agent@example.com' },
      'Configuration error: APIZEE_PASSWORD is required once any APIZEE_ credential is set',
    ],
    ['DEFAULT_VENDOR=genesys', { DEFAULT_VENDOR: 'genesys' }, 'Configuration error: DEFAULT_VENDOR must be one of apizee, blitzz, conpeek, imbee'],
    ['CONPEEK_API_URL that is not a URL', { CONPEEK_API_URL: 'conpeek.test', CONPEEK_API_KEY: 'k' }, 'Configuration error: CONPEEK_API_URL must be an http(s) URL'],
    ['CONPEEK_BRIDGE_ID=abc', { CONPEEK_BRIDGE_ID: 'abc' }, 'Configuration error: CONPEEK_BRIDGE_ID must be a whole number'],
    ['APIZEE_RATE_LIMIT_PER_MINUTE=0', { APIZEE_RATE_LIMIT_PER_MINUTE: '0' }, 'Configuration error: APIZEE_RATE_LIMIT_PER_MINUTE must be at least 1'],
    ['IMBEE_AUTH alone', { IMBEE_AUTH: 'a' }, 'Configuration error: IMBEE_API_URL is required once any IMBEE_ credential is set'],
    ['missing SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: undefined }, 'Configuration error: SLACK_BOT_TOKEN is required (xoxb-…)'],
    [
      'SLACK_CLIENT_ID without the client secret',
      { SLACK_BOT_TOKEN: undefined, SLACK_CLIENT_ID: '123.456', SLACK_STATE_SECRET: 'a-long-enough-state-secret' },
      'Configuration error: SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID (OAuth install)',
    ],
    [
      'SLACK_CLIENT_SECRET without the state secret',
      { SLACK_BOT_TOKEN: undefined, SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret' },
      'Configuration error: SLACK_STATE_SECRET is required with SLACK_CLIENT_ID (OAuth install)',
    ],
    [
      'a short SLACK_STATE_SECRET',
      { SLACK_BOT_TOKEN: undefined, SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'short' },
      'Configuration error: SLACK_STATE_SECRET must be at least 16 characters (openssl rand -hex 32)',
    ],
    [
      'SLACK_BOT_TOKEN with OAuth install',
      { SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-long-enough-state-secret' },
      "Configuration error: SLACK_BOT_TOKEN must be unset for OAuth install (SLACK_CLIENT_ID…): each workspace's token comes from its install",
    ],
  ];

  for (const [name, changes, message] of failures) {
    it(`refuses ${name} with one line naming the variable`, () => {
      const error = configError(changes);
      assert.equal(error.message, message);
      assert.equal(error.message.includes('\n'), false);
      assert.equal(error.variable, message.split(' ')[2]);
    });
  }

  it('never echoes a secret value in its message', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ SLACK_APP_TOKEN: 'xoxb-9999-TOPSECRETVALUE' }, 'SLACK_APP_TOKEN'],
      [{ ENCRYPTION_KEY: 'TOPSECRETVALUE' }, 'ENCRYPTION_KEY'],
      [{ ENCRYPTION_KEY_PREVIOUS: 'TOPSECRETVALUE' }, 'ENCRYPTION_KEY_PREVIOUS'],
      [{ LOG_LEVEL: 'TOPSECRETVALUE' }, 'LOG_LEVEL'],
      [{ APIZEE_PASSWORD: 'TOPSECRETVALUE' }, 'APIZEE_USERNAME'],
      [{ SLACK_BOT_TOKEN: '', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'cs', SLACK_STATE_SECRET: 'TOPSECRETVALUE' }, 'SLACK_STATE_SECRET'],
      [{ SLACK_BOT_TOKEN: '', SLACK_CLIENT_SECRET: 'TOPSECRETVALUE' }, 'SLACK_CLIENT_ID'],
    ];
    for (const [changes, variable] of cases) {
      const error = configError(changes);
      assert.equal(error.variable, variable);
      assert.equal(error.message.includes('TOPSECRETVALUE'), false, error.message);
    }
  });
});
