import type { SettingField } from '../../domain/vendor-module.js';
import {
  credential,
  httpUrl,
  requiredOf,
  schemaSettings,
  seconds,
  settings,
  text,
  trimSlash,
  vendorEnv,
  wholeNumber,
  type SettingsOf,
  type VariableOf,
} from '../settings-schema.js';

const fields = [
  { env: 'APIZEE_API_URL', label: 'API URL', secret: false, help: 'Default https://cloud.apizee.com/api.' },
  { env: 'APIZEE_USERNAME', label: 'Username', secret: false, help: 'The API account login.', required: true },
  { env: 'APIZEE_PASSWORD', label: 'Password', secret: true, help: 'The API account password.', required: true },
  { env: 'APIZEE_ENTERPRISE_ID', label: 'Enterprise id', secret: false, help: 'Used in the media paths (/enterprises/{id}/tickets/{id}/medias).', required: true },
  { env: 'APIZEE_AGENT', label: 'Default agent login', secret: false, help: 'Default agent login for new tickets (the modal lets the agent change it).', required: true },
  { env: 'APIZEE_RATE_LIMIT_PER_MINUTE', label: 'Requests a minute', secret: false, help: "The account's limit; every Apizee call shares it. Default 10." },
  { env: 'APIZEE_WEBHOOK_SECRET', label: 'Webhook secret', secret: true, help: 'Secret for POST /webhooks/apizee.' },
  { env: 'APIZEE_TIMEOUT_SECONDS', label: 'Timeout (seconds)', secret: false, help: 'Seconds before an Apizee call is abandoned. Default 15.' },
  {
    env: 'APIZEE_PORTAL_URL',
    label: 'Agent portal URL',
    secret: false,
    help: "Where agents open tickets (Apizee's agent_url); its tickets' links unfurl in Slack. Default: the API URL's host.",
  },
] as const satisfies readonly SettingField[];

/** Each variable's schema, keyed by the names in `fields` (no more, no fewer). */
export const apizeeVariables = {
  APIZEE_API_URL: httpUrl('https://cloud.apizee.com/api'),
  APIZEE_USERNAME: credential,
  APIZEE_PASSWORD: credential,
  APIZEE_ENTERPRISE_ID: credential,
  APIZEE_AGENT: credential,
  APIZEE_RATE_LIMIT_PER_MINUTE: wholeNumber({ min: 1, fallback: 10 }),
  APIZEE_WEBHOOK_SECRET: text,
  APIZEE_TIMEOUT_SECONDS: seconds(15),
  APIZEE_PORTAL_URL: httpUrl(),
} satisfies Record<VariableOf<typeof fields>, unknown>;

/**
 * Apizee's slice of the environment → the client's settings. Apizee has its own timeout (its
 * calls queue behind a rate budget), so VENDOR_TIMEOUT_SECONDS is not used.
 */
export const apizeeEnv = () =>
  vendorEnv(apizeeVariables, requiredOf(fields)).transform(
    (env) =>
      env &&
      settings({
        apiUrl: trimSlash(env.APIZEE_API_URL),
        username: env.APIZEE_USERNAME,
        password: env.APIZEE_PASSWORD,
        enterpriseId: env.APIZEE_ENTERPRISE_ID,
        agent: env.APIZEE_AGENT,
        ratePerMinute: env.APIZEE_RATE_LIMIT_PER_MINUTE,
        timeoutMs: env.APIZEE_TIMEOUT_SECONDS,
        webhookSecret: env.APIZEE_WEBHOOK_SECRET,
        ...(env.APIZEE_PORTAL_URL ? { portalUrl: env.APIZEE_PORTAL_URL } : {}),
      }),
  );

/** Each client owns its settings; config.ts fills them from the environment. */
export type ApizeeSettings = SettingsOf<typeof apizeeEnv>;

export const apizeeSettings = schemaSettings(fields, apizeeEnv);
