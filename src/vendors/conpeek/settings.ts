import type { CommonSettings, VendorSettings } from '../../domain/vendor-module.js';
import { credentialGroup, httpUrl, text, trimSlash, wholeNumber, type Env } from '../setting-readers.js';
import type { ConpeekSettings } from './client.js';

const CREDENTIALS = ['CONPEEK_API_URL', 'CONPEEK_API_KEY'] as const;

export const conpeekSettings: VendorSettings<ConpeekSettings> = {
  fields: [
    { env: 'CONPEEK_API_URL', label: 'API URL', secret: false, help: "Your tenant's API base URL (paths are appended to it)." },
    { env: 'CONPEEK_API_KEY', label: 'API key', secret: true, help: 'The raw API key.' },
    { env: 'CONPEEK_BRIDGE_ID', label: 'Default bridge id', secret: false, help: 'Default conference bridge for meetings.' },
    { env: 'CONPEEK_ROOM_ID', label: 'Default room id', secret: false, help: 'Default conference room for meetings.' },
    { env: 'CONPEEK_PROJECT', label: 'Project', secret: false, help: 'project_target_identifier for one-to-one video chats.' },
  ],
  read(env: Env, common: CommonSettings): ConpeekSettings | undefined {
    const bridgeId = wholeNumber(env, 'CONPEEK_BRIDGE_ID');
    const roomId = wholeNumber(env, 'CONPEEK_ROOM_ID');
    if (!credentialGroup(env, CREDENTIALS)) return undefined;
    return {
      apiUrl: trimSlash(httpUrl(env, 'CONPEEK_API_URL')!),
      apiKey: text(env, 'CONPEEK_API_KEY')!,
      bridgeId,
      roomId,
      project: text(env, 'CONPEEK_PROJECT'),
      timeoutMs: common.timeoutMs,
    };
  },
};
