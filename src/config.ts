import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { SettingsError, type CommonSettings, type VendorModule } from './domain/vendor-module.js';
import { vendorModules } from './vendors/index.js';

/**
 * The only reader of the environment. Every name comes from PRODUCT.md §3: the core ones here,
 * each vendor's in its module's `settings` (`<VENDOR>_…`, listed in `.env.example`).
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = (fallback: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s]+$/.test(value), 'must be an http(s) URL')
    .default(fallback);

const positiveNumber = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .refine((value) => Number.isFinite(value) && value > 0, 'must be a number above 0')
    .default(fallback);

const encryptionKey = z
  .string({ error: 'is required: 32 random bytes in base64 (openssl rand -base64 32)' })
  .trim()
  .refine(
    (value) => Buffer.from(value, 'base64').length === 32,
    'must be 32 random bytes in base64 (openssl rand -base64 32)',
  );

const databaseUrl = z
  .string()
  .trim()
  .refine(
    (value) => /^(postgres(ql)?:\/\/|file:)/.test(value),
    'must start with postgres://, postgresql:// or file:',
  )
  .optional();

const OAUTH_VARIABLES = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

export const ConfigSchema = z
  .object({
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_BOT_TOKEN: optionalText,
    SLACK_APP_TOKEN: optionalText,
    // OAuth install for many workspaces: the three together, instead of SLACK_BOT_TOKEN.
    SLACK_CLIENT_ID: optionalText,
    SLACK_CLIENT_SECRET: optionalText,
    SLACK_STATE_SECRET: optionalText,
    SLACK_API_URL: url('https://slack.com/api/'),
    PORT: z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(3000),
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: encryptionKey,
    /** The key being rotated away from: still read (contacts sealed with it), never written. */
    ENCRYPTION_KEY_PREVIOUS: encryptionKey.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Checked against the modules in loadConfig: only a module that takes a contact can be the default.
    DEFAULT_VENDOR: z.string().trim().optional(),
    TRACK_INTERVAL_SECONDS: positiveNumber(30),
    ADMIN_USERGROUP: optionalText,
    /** Sessions (and all kept with them) are purged this many days after their last activity. */
    RETENTION_DAYS: z.coerce
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(3650, 'must be at most 3650 days')
      .default(90),
    /** Every module's default call timeout (CommonSettings.timeoutMs). */
    VENDOR_TIMEOUT_SECONDS: positiveNumber(15),
    /** PostgreSQL: how long to wait for a connection, and the longest a statement may run. */
    DATABASE_CONNECT_TIMEOUT_SECONDS: positiveNumber(5),
    DATABASE_STATEMENT_TIMEOUT_SECONDS: positiveNumber(10),
    /** On SIGTERM/SIGINT: how long in-flight work and the outbox get before the process exits. */
    SHUTDOWN_TIMEOUT_SECONDS: positiveNumber(10),
  })
  .superRefine((env, ctx) => {
    if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    const oauth = OAUTH_VARIABLES.filter((name) => env[name] !== undefined);
    if (oauth.length > 0) {
      // OAuth install: each workspace's token comes from its install, never from the environment.
      const missing = OAUTH_VARIABLES.find((name) => env[name] === undefined);
      if (missing) ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${oauth[0]} (OAuth install)` });
      if (env.SLACK_BOT_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'must be unset for OAuth install (SLACK_CLIENT_ID…): each workspace\'s token comes from its install' });
      }
      if (env.SLACK_STATE_SECRET !== undefined && env.SLACK_STATE_SECRET.length < 16) {
        ctx.addIssue({ code: 'custom', path: ['SLACK_STATE_SECRET'], message: 'must be at least 16 characters (openssl rand -hex 32)' });
      }
    } else if (!env.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required (xoxb-…)' });
    }
    if (env.ENCRYPTION_KEY_PREVIOUS && Buffer.from(env.ENCRYPTION_KEY_PREVIOUS, 'base64').equals(Buffer.from(env.ENCRYPTION_KEY, 'base64'))) {
      ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEY_PREVIOUS'], message: 'must differ from ENCRYPTION_KEY (unset it once a rotation is over)' });
    }
    if (env.SLACK_APP_TOKEN && !env.SLACK_APP_TOKEN.startsWith('xapp-')) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'must be an app-level token (xapp-…)' });
    }
  });

export type Env = z.infer<typeof ConfigSchema>;

export interface Config {
  slack: {
    signingSecret?: string;
    /** One workspace: its bot token. Unset with `oauth`. */
    botToken?: string;
    /** Many workspaces, installed through OAuth (`/slack/install`): set instead of `botToken`. */
    oauth?: SlackOAuth;
    appToken?: string;
    apiUrl: string;
  };
  port: number;
  databaseUrl?: string;
  encryptionKey: Buffer;
  /** During a key rotation: the ENCRYPTION_KEY before it (see README, Key rotation). */
  encryptionKeyPrevious?: Buffer;
  logLevel: Env['LOG_LEVEL'];
  /** A module's name (one that takes a contact). */
  defaultVendor?: string;
  trackIntervalMs: number;
  adminUsergroup?: string;
  /** RETENTION_DAYS: sessions untouched this long (and no longer tracked) are purged. */
  retentionDays: number;
  database: { connectTimeoutMs: number; statementTimeoutMs: number };
  /** The whole graceful shutdown's deadline (SHUTDOWN_TIMEOUT_SECONDS). */
  shutdownTimeoutMs: number;
  /** Each configured module's settings, by module name; an unconfigured module has no entry. */
  vendors: Record<string, unknown>;
  /** What every module's settings read with: a workspace's own account (App Home) is read with them too. */
  vendorCommon: CommonSettings;
}

/** The Slack app's OAuth credentials (Basic Information → App Credentials) and the install state's signing secret. */
export interface SlackOAuth {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (default `process.env`) into a Config, or throws one ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, modules: readonly VendorModule<unknown>[] = vendorModules): Config {
  // `NAME=` (as in .env.example) means unset, not an empty value.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const reason = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
    throw new ConfigError(variable, reason);
  }
  const defaults = modules.filter((module) => module.products.some((product) => product.shape !== 'command')).map((module) => module.name);
  if (parsed.data.DEFAULT_VENDOR !== undefined && !defaults.includes(parsed.data.DEFAULT_VENDOR)) {
    throw new ConfigError('DEFAULT_VENDOR', `must be one of ${defaults.join(', ')}`);
  }
  const vendorCommon = { timeoutMs: Math.round(parsed.data.VENDOR_TIMEOUT_SECONDS * 1000) };
  const vendors = readVendors(modules, present, vendorCommon);
  return { ...toConfig(parsed.data), vendors, vendorCommon };
}

/** Each module reads its own variables; a wrong one becomes the same one-line ConfigError. */
function readVendors(modules: readonly VendorModule<unknown>[], env: Record<string, string | undefined>, common: { timeoutMs: number }): Record<string, unknown> {
  const vendors: Record<string, unknown> = {};
  for (const module of modules) {
    try {
      const settings: unknown = module.settings.read(env, common);
      if (settings !== undefined) vendors[module.name] = settings;
    } catch (error) {
      if (error instanceof SettingsError) throw new ConfigError(error.variable, error.reason);
      throw error;
    }
  }
  return vendors;
}

function toConfig(env: Env): Omit<Config, 'vendors' | 'vendorCommon'> {
  const apiUrl = env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`;
  return {
    slack: {
      signingSecret: env.SLACK_SIGNING_SECRET,
      botToken: env.SLACK_BOT_TOKEN,
      oauth:
        env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_STATE_SECRET
          ? { clientId: env.SLACK_CLIENT_ID, clientSecret: env.SLACK_CLIENT_SECRET, stateSecret: env.SLACK_STATE_SECRET }
          : undefined,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl,
    },
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    encryptionKey: Buffer.from(env.ENCRYPTION_KEY, 'base64'),
    encryptionKeyPrevious: env.ENCRYPTION_KEY_PREVIOUS === undefined ? undefined : Buffer.from(env.ENCRYPTION_KEY_PREVIOUS, 'base64'),
    logLevel: env.LOG_LEVEL,
    defaultVendor: env.DEFAULT_VENDOR,
    trackIntervalMs: Math.round(env.TRACK_INTERVAL_SECONDS * 1000),
    adminUsergroup: env.ADMIN_USERGROUP,
    retentionDays: env.RETENTION_DAYS,
    database: {
      connectTimeoutMs: Math.round(env.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000),
      statementTimeoutMs: Math.round(env.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000),
    },
    shutdownTimeoutMs: Math.round(env.SHUTDOWN_TIMEOUT_SECONDS * 1000),
  };
}

/** Reads `.env` (when present) under the process environment, which wins, then validates. */
export function loadConfigFromEnvironment(envFile = '.env'): Config {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  return loadConfig({ ...fromFile, ...process.env });
}
