import type { CommonSettings, VendorSettings } from '../../domain/vendor-module.js';
import { credentialGroup, httpUrl, oneOf, text, trimSlash, type Env } from '../setting-readers.js';
import type { BlitzzSettings as BlitzzClientSettings } from './client.js';

/** The media options are always present once configured (each may be undefined: the account's default). */
export type BlitzzSettings = BlitzzClientSettings & { media: NonNullable<BlitzzClientSettings['media']> };

const CREDENTIALS = ['BLITZZ_SECRET_KEY', 'BLITZZ_USERNAME', 'BLITZZ_PASSWORD'] as const;

const digit = <T extends number>(value: string | undefined) => (value === undefined ? undefined : (Number(value) as T));

export const blitzzSettings: VendorSettings<BlitzzSettings> = {
  fields: [
    { env: 'BLITZZ_API_URL', label: 'API URL', secret: false, help: 'Default https://restapi.blitzz.co.' },
    { env: 'BLITZZ_SECRET_KEY', label: 'Secret key', secret: true, help: 'SecretKey issued per domain by Blitzz support.' },
    { env: 'BLITZZ_USERNAME', label: 'Username', secret: false, help: "The agent account's login." },
    { env: 'BLITZZ_PASSWORD', label: 'Password', secret: true, help: "The agent account's password." },
    { env: 'BLITZZ_SESSION_ID', label: 'Default session code', secret: false, help: 'Default 9-digit session code for invitations.' },
    { env: 'BLITZZ_MEDIA_MICROPHONE', label: 'Microphone', secret: false, help: '0 off / 1 on; unset: the account default.' },
    { env: 'BLITZZ_MEDIA_CAMERA', label: 'Camera', secret: false, help: '0 off / 1 back / 2 front; unset: the account default.' },
    { env: 'BLITZZ_MEDIA_OBSERVER', label: 'Observer', secret: false, help: '0 guest / 1 silent observer; unset: the account default.' },
    { env: 'BLITZZ_MEDIA_PLATFORM', label: 'Platform', secret: false, help: '1 browser first / 2 app only / 3 browser only / 4 ask the user.' },
  ],
  read(env: Env, common: CommonSettings): BlitzzSettings | undefined {
    const apiUrl = httpUrl(env, 'BLITZZ_API_URL', 'https://restapi.blitzz.co')!;
    const media = {
      m: digit<0 | 1>(oneOf(env, 'BLITZZ_MEDIA_MICROPHONE', ['0', '1'])),
      c: digit<0 | 1 | 2>(oneOf(env, 'BLITZZ_MEDIA_CAMERA', ['0', '1', '2'])),
      o: digit<0 | 1>(oneOf(env, 'BLITZZ_MEDIA_OBSERVER', ['0', '1'])),
      s: digit<1 | 2 | 3 | 4>(oneOf(env, 'BLITZZ_MEDIA_PLATFORM', ['1', '2', '3', '4'])),
    };
    if (!credentialGroup(env, CREDENTIALS)) return undefined;
    return {
      apiUrl: trimSlash(apiUrl),
      secretKey: text(env, 'BLITZZ_SECRET_KEY')!,
      username: text(env, 'BLITZZ_USERNAME')!,
      password: text(env, 'BLITZZ_PASSWORD')!,
      sessionId: text(env, 'BLITZZ_SESSION_ID'),
      timeoutMs: common.timeoutMs,
      media,
    };
  },
};
