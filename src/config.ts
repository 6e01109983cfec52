import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import type { ApizeeSettings } from './vendors/apizee/client.js';
import type { BlitzzSettings } from './vendors/blitzz/client.js';
import type { ConpeekSettings } from './vendors/conpeek/client.js';
import type { GenesysSettings } from './vendors/genesys/client.js';
import type { ImbeeSettings } from './vendors/imbee/client.js';
import { z } from 'zod';

/**
 * The only reader of the environment. Every name comes from PRODUCT.md §3; a setting an issue
 * adds follows the `<VENDOR>_…` pattern and is listed in `.env.example`.
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

export const ConfigSchema = z
  .object({
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_BOT_TOKEN: optionalText,
    SLACK_APP_TOKEN: optionalText,
    SLACK_API_URL: url('https://slack.com/api/'),
    PORT: z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(3000),
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: encryptionKey,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DEFAULT_VENDOR: z.enum(['apizee', 'blitzz', 'conpeek', 'imbee']).optional(),
    TRACK_INTERVAL_SECONDS: positiveNumber(30),
    ADMIN_USERGROUP: optionalText,

    APIZEE_API_URL: url('https://cloud.apizee.com/api'),
    APIZEE_USERNAME: optionalText,
    APIZEE_PASSWORD: optionalText,
    APIZEE_ENTERPRISE_ID: optionalText,
    APIZEE_AGENT: optionalText,
    APIZEE_RATE_LIMIT_PER_MINUTE: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(10),
    APIZEE_WEBHOOK_SECRET: optionalText,
    APIZEE_TIMEOUT_SECONDS: positiveNumber(15),

    BLITZZ_API_URL: url('https://restapi.blitzz.co'),
    BLITZZ_SECRET_KEY: optionalText,
    BLITZZ_USERNAME: optionalText,
    BLITZZ_PASSWORD: optionalText,
    BLITZZ_SESSION_ID: optionalText,
    BLITZZ_MEDIA_MICROPHONE: z.enum(['0', '1']).optional(),
    BLITZZ_MEDIA_CAMERA: z.enum(['0', '1', '2']).optional(),
    BLITZZ_MEDIA_OBSERVER: z.enum(['0', '1']).optional(),
    BLITZZ_MEDIA_PLATFORM: z.enum(['1', '2', '3', '4']).optional(),

    CONPEEK_API_URL: optionalText,
    CONPEEK_API_KEY: optionalText,
    CONPEEK_BRIDGE_ID: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').optional(),
    CONPEEK_ROOM_ID: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').optional(),
    CONPEEK_PROJECT: optionalText,

    GENESYS_API_URL: optionalText,
    GENESYS_USERNAME: optionalText,
    GENESYS_PASSWORD: optionalText,
    GENESYS_SMS_PATH: z.enum(['me/smssessions', 'smssessions']).default('me/smssessions'),
    GENESYS_NOTIFICATIONS_URL: optionalText,

    IMBEE_API_URL: optionalText,
    IMBEE_AUTH: optionalText,
    IMBEE_CORPORATE_TOKEN: optionalText,
    IMBEE_BOT_IDSHA: optionalText,

    VENDOR_TIMEOUT_SECONDS: positiveNumber(15),
  })
  .superRefine((env, ctx) => {
    if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    if (!env.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required (xoxb-…)' });
    }
    if (env.SLACK_APP_TOKEN && !env.SLACK_APP_TOKEN.startsWith('xapp-')) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'must be an app-level token (xapp-…)' });
    }
    for (const group of CREDENTIAL_GROUPS) {
      const missing = group.filter((name) => !env[name]);
      if (missing.length > 0 && missing.length < group.length) {
        const vendor = missing[0]!.split('_')[0];
        ctx.addIssue({ code: 'custom', path: [missing[0]!], message: `is required once any ${vendor}_ credential is set` });
      }
    }
    for (const name of ['CONPEEK_API_URL', 'GENESYS_API_URL', 'GENESYS_NOTIFICATIONS_URL', 'IMBEE_API_URL'] as const) {
      const value = env[name];
      if (value && !/^https?:\/\/[^\s]+$/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be an http(s) URL' });
    }
  });

/** A vendor is configured when all of its group is set; part of a group is a mistake. */
const CREDENTIAL_GROUPS = [
  ['APIZEE_USERNAME', 'APIZEE_PASSWORD', 'APIZEE_ENTERPRISE_ID', 'APIZEE_AGENT'],
  ['BLITZZ_SECRET_KEY', 'BLITZZ_USERNAME', 'BLITZZ_PASSWORD'],
  ['CONPEEK_API_URL', 'CONPEEK_API_KEY'],
  ['GENESYS_API_URL', 'GENESYS_USERNAME', 'GENESYS_PASSWORD'],
  ['IMBEE_API_URL', 'IMBEE_AUTH', 'IMBEE_CORPORATE_TOKEN', 'IMBEE_BOT_IDSHA'],
] as const;

export type Env = z.infer<typeof ConfigSchema>;

export interface Config {
  slack: {
    signingSecret?: string;
    botToken: string;
    appToken?: string;
    apiUrl: string;
  };
  port: number;
  databaseUrl?: string;
  encryptionKey: Buffer;
  logLevel: Env['LOG_LEVEL'];
  defaultVendor?: Env['DEFAULT_VENDOR'];
  trackIntervalMs: number;
  adminUsergroup?: string;
  apizee?: ApizeeSettings;
  blitzz?: BlitzzSettings & { media: NonNullable<BlitzzSettings['media']> };
  conpeek?: ConpeekSettings;
  genesys?: GenesysSettings;
  imbee?: ImbeeSettings;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (default `process.env`) into a Config, or throws one ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `NAME=` (as in .env.example) means unset, not an empty value.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const reason = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
    throw new ConfigError(variable, reason);
  }
  return toConfig(parsed.data);
}

function toConfig(env: Env): Config {
  const apiUrl = env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`;
  return {
    slack: {
      signingSecret: env.SLACK_SIGNING_SECRET,
      botToken: env.SLACK_BOT_TOKEN!,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl,
    },
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    encryptionKey: Buffer.from(env.ENCRYPTION_KEY, 'base64'),
    logLevel: env.LOG_LEVEL,
    defaultVendor: env.DEFAULT_VENDOR,
    trackIntervalMs: Math.round(env.TRACK_INTERVAL_SECONDS * 1000),
    adminUsergroup: env.ADMIN_USERGROUP,
    apizee: env.APIZEE_USERNAME
      ? {
          apiUrl: env.APIZEE_API_URL.replace(/\/+$/, ''),
          username: env.APIZEE_USERNAME,
          password: env.APIZEE_PASSWORD!,
          enterpriseId: env.APIZEE_ENTERPRISE_ID!,
          agent: env.APIZEE_AGENT!,
          ratePerMinute: env.APIZEE_RATE_LIMIT_PER_MINUTE,
          timeoutMs: Math.round(env.APIZEE_TIMEOUT_SECONDS * 1000),
          webhookSecret: env.APIZEE_WEBHOOK_SECRET,
        }
      : undefined,
    ...otherVendors(env),
  };
}

const digit = <T extends number>(value: string | undefined) => (value === undefined ? undefined : (Number(value) as T));
const trimSlash = (value: string) => value.replace(/\/+$/, '');

function otherVendors(env: Env): Pick<Config, 'blitzz' | 'conpeek' | 'genesys' | 'imbee'> {
  const timeoutMs = Math.round(env.VENDOR_TIMEOUT_SECONDS * 1000);
  return {
    blitzz: env.BLITZZ_SECRET_KEY
      ? {
          apiUrl: trimSlash(env.BLITZZ_API_URL),
          secretKey: env.BLITZZ_SECRET_KEY,
          username: env.BLITZZ_USERNAME!,
          password: env.BLITZZ_PASSWORD!,
          sessionId: env.BLITZZ_SESSION_ID,
          timeoutMs,
          media: {
            m: digit<0 | 1>(env.BLITZZ_MEDIA_MICROPHONE),
            c: digit<0 | 1 | 2>(env.BLITZZ_MEDIA_CAMERA),
            o: digit<0 | 1>(env.BLITZZ_MEDIA_OBSERVER),
            s: digit<1 | 2 | 3 | 4>(env.BLITZZ_MEDIA_PLATFORM),
          },
        }
      : undefined,
    conpeek: env.CONPEEK_API_KEY
      ? {
          apiUrl: trimSlash(env.CONPEEK_API_URL!),
          apiKey: env.CONPEEK_API_KEY,
          bridgeId: env.CONPEEK_BRIDGE_ID,
          roomId: env.CONPEEK_ROOM_ID,
          project: env.CONPEEK_PROJECT,
          timeoutMs,
        }
      : undefined,
    genesys: env.GENESYS_USERNAME
      ? {
          apiUrl: trimSlash(env.GENESYS_API_URL!),
          username: env.GENESYS_USERNAME,
          password: env.GENESYS_PASSWORD!,
          smsPath: env.GENESYS_SMS_PATH,
          notificationsUrl: env.GENESYS_NOTIFICATIONS_URL,
          timeoutMs,
        }
      : undefined,
    imbee: env.IMBEE_AUTH
      ? {
          apiUrl: trimSlash(env.IMBEE_API_URL!),
          auth: env.IMBEE_AUTH,
          corporateToken: env.IMBEE_CORPORATE_TOKEN!,
          botIdsha: env.IMBEE_BOT_IDSHA!,
          timeoutMs,
        }
      : undefined,
  };
}

/** Reads `.env` (when present) under the process environment, which wins, then validates. */
export function loadConfigFromEnvironment(envFile = '.env'): Config {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  return loadConfig({ ...fromFile, ...process.env });
}
