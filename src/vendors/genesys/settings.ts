import type { CommonSettings, VendorSettings } from '../../domain/vendor-module.js';
import { credentialGroup, httpUrl, oneOf, text, trimSlash, type Env } from '../setting-readers.js';
import type { GenesysSettings } from './client.js';

const CREDENTIALS = ['GENESYS_API_URL', 'GENESYS_USERNAME', 'GENESYS_PASSWORD'] as const;

export const genesysSettings: VendorSettings<GenesysSettings> = {
  fields: [
    { env: 'GENESYS_API_URL', label: 'API URL', secret: false, help: 'Your Web Services deployment, e.g. https://gws.example.com.' },
    { env: 'GENESYS_USERNAME', label: 'Username', secret: false, help: 'The account that acts in the SMS sessions it takes part in.' },
    { env: 'GENESYS_PASSWORD', label: 'Password', secret: true, help: "That account's password." },
    { env: 'GENESYS_SMS_PATH', label: 'SMS session path', secret: false, help: 'me/smssessions (default) or smssessions: the documents disagree.' },
    { env: 'GENESYS_NOTIFICATIONS_URL', label: 'Notifications URL', secret: false, help: 'CometD endpoint; default <GENESYS_API_URL>/api/v2/notifications.' },
  ],
  read(env: Env, common: CommonSettings): GenesysSettings | undefined {
    const smsPath = oneOf(env, 'GENESYS_SMS_PATH', ['me/smssessions', 'smssessions']) ?? 'me/smssessions';
    if (!credentialGroup(env, CREDENTIALS)) {
      httpUrl(env, 'GENESYS_NOTIFICATIONS_URL');
      return undefined;
    }
    const apiUrl = httpUrl(env, 'GENESYS_API_URL')!;
    return {
      apiUrl: trimSlash(apiUrl),
      username: text(env, 'GENESYS_USERNAME')!,
      password: text(env, 'GENESYS_PASSWORD')!,
      smsPath,
      notificationsUrl: httpUrl(env, 'GENESYS_NOTIFICATIONS_URL'),
      timeoutMs: common.timeoutMs,
    };
  },
};
