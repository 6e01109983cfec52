import type { CommonSettings, VendorSettings } from '../../domain/vendor-module.js';
import { credentialGroup, httpUrl, text, trimSlash, type Env } from '../setting-readers.js';
import type { ImbeeSettings } from './client.js';

const CREDENTIALS = ['IMBEE_API_URL', 'IMBEE_AUTH', 'IMBEE_CORPORATE_TOKEN', 'IMBEE_BOT_IDSHA'] as const;

export const imbeeSettings: VendorSettings<ImbeeSettings> = {
  fields: [
    { env: 'IMBEE_API_URL', label: 'API URL', secret: false, help: 'The host Imbee gives you, e.g. https://api.imbee.example.' },
    { env: 'IMBEE_AUTH', label: 'Auth', secret: true, help: 'myAuth (Authorization header).' },
    { env: 'IMBEE_CORPORATE_TOKEN', label: 'Corporate token', secret: true, help: 'myCorporateToken (X-WOOS-KEY header).' },
    { env: 'IMBEE_BOT_IDSHA', label: 'Bot id', secret: false, help: "The bot's identifier (bot_idsha)." },
  ],
  read(env: Env, common: CommonSettings): ImbeeSettings | undefined {
    if (!credentialGroup(env, CREDENTIALS)) return undefined;
    return {
      apiUrl: trimSlash(httpUrl(env, 'IMBEE_API_URL')!),
      auth: text(env, 'IMBEE_AUTH')!,
      corporateToken: text(env, 'IMBEE_CORPORATE_TOKEN')!,
      botIdsha: text(env, 'IMBEE_BOT_IDSHA')!,
      timeoutMs: common.timeoutMs,
    };
  },
};
