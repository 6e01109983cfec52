import type { CommonSettings, VendorSettings } from '../../domain/vendor-module.js';
import { credentialGroup, httpUrl, positiveSeconds, text, trimSlash, wholeNumber, type Env } from '../setting-readers.js';
import type { ApizeeSettings } from './client.js';

const CREDENTIALS = ['APIZEE_USERNAME', 'APIZEE_PASSWORD', 'APIZEE_ENTERPRISE_ID', 'APIZEE_AGENT'] as const;

export const apizeeSettings: VendorSettings<ApizeeSettings> = {
  fields: [
    { env: 'APIZEE_API_URL', label: 'API URL', secret: false, help: 'Default https://cloud.apizee.com/api.' },
    { env: 'APIZEE_USERNAME', label: 'Username', secret: false, help: 'The API account login.' },
    { env: 'APIZEE_PASSWORD', label: 'Password', secret: true, help: 'The API account password.' },
    { env: 'APIZEE_ENTERPRISE_ID', label: 'Enterprise id', secret: false, help: 'Used in the media paths (/enterprises/{id}/tickets/{id}/medias).' },
    { env: 'APIZEE_AGENT', label: 'Default agent login', secret: false, help: 'Default agent login for new tickets (the modal lets the agent change it).' },
    { env: 'APIZEE_RATE_LIMIT_PER_MINUTE', label: 'Requests a minute', secret: false, help: "The account's limit; every Apizee call shares it. Default 10." },
    { env: 'APIZEE_WEBHOOK_SECRET', label: 'Webhook secret', secret: true, help: 'Secret for POST /webhooks/apizee.' },
    { env: 'APIZEE_TIMEOUT_SECONDS', label: 'Timeout (seconds)', secret: false, help: 'Seconds before an Apizee call is abandoned. Default 15.' },
  ],
  read(env: Env, _common: CommonSettings): ApizeeSettings | undefined {
    // Apizee has its own timeout (its calls queue behind a rate budget), so VENDOR_TIMEOUT_SECONDS is not used.
    const apiUrl = httpUrl(env, 'APIZEE_API_URL', 'https://cloud.apizee.com/api')!;
    const ratePerMinute = wholeNumber(env, 'APIZEE_RATE_LIMIT_PER_MINUTE', { min: 1 }) ?? 10;
    const timeoutMs = positiveSeconds(env, 'APIZEE_TIMEOUT_SECONDS', 15);
    if (!credentialGroup(env, CREDENTIALS)) return undefined;
    return {
      apiUrl: trimSlash(apiUrl),
      username: text(env, 'APIZEE_USERNAME')!,
      password: text(env, 'APIZEE_PASSWORD')!,
      enterpriseId: text(env, 'APIZEE_ENTERPRISE_ID')!,
      agent: text(env, 'APIZEE_AGENT')!,
      ratePerMinute,
      timeoutMs,
      webhookSecret: text(env, 'APIZEE_WEBHOOK_SECRET'),
    };
  },
};
