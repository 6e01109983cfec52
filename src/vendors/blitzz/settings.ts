import { z } from 'zod';
import { DELIVERIES, type Delivery } from '../../domain/delivery.js';
import type { CommonSettings, SettingField } from '../../domain/vendor-module.js';
import {
  credential,
  httpUrl,
  oneOf,
  requiredOf,
  schemaSettings,
  settings,
  text,
  trimSlash,
  vendorEnv,
  type SettingsOf,
  type VariableOf,
} from '../settings-schema.js';
import { DEFAULT_INVITATION_TYPES, INVITATION_TYPE_MAX, INVITATION_TYPE_MIN, InvitationType } from './schemas.js';

/**
 * `BLITZZ_INVITATION_TYPES`, e.g. `sms=1,whatsapp=2,email=3`: seed 000's prose numbers three
 * channels 1–3, its schema allows 1–6 (enum) or 1–5 (`maximum`) and names none of 4–6, so which
 * number a channel really has is open. The prose's numbering is the default; an account whose
 * Blitzz numbers a channel otherwise names it here (`whatsapp=4`), the others keep the default.
 */
function invitationTypes() {
  const form = `must look like sms=1,whatsapp=2,email=3 (each ${INVITATION_TYPE_MIN}-${INVITATION_TYPE_MAX})`;
  return text.transform((value, ctx): Record<Delivery, InvitationType> => {
    const types: Record<Delivery, InvitationType> = { ...DEFAULT_INVITATION_TYPES };
    for (const pair of value?.split(',') ?? []) {
      const match = /^\s*(\w+)\s*=\s*(\d+)\s*$/.exec(pair);
      const delivery = DELIVERIES.find((name) => name === match?.[1]);
      const number = InvitationType.safeParse(Number(match?.[2]));
      if (!delivery || !number.success) {
        ctx.addIssue({ code: 'custom', message: form });
        return z.NEVER;
      }
      types[delivery] = number.data;
    }
    if (new Set(Object.values(types)).size < DELIVERIES.length) {
      ctx.addIssue({ code: 'custom', message: 'gives two channels the same number' });
      return z.NEVER;
    }
    return types;
  });
}

const fields = [
  { env: 'BLITZZ_API_URL', label: 'API URL', secret: false, help: 'Default https://restapi.blitzz.co.' },
  { env: 'BLITZZ_SECRET_KEY', label: 'Secret key', secret: true, help: 'SecretKey issued per domain by Blitzz support.', required: true },
  { env: 'BLITZZ_USERNAME', label: 'Username', secret: false, help: "The agent account's login.", required: true },
  { env: 'BLITZZ_PASSWORD', label: 'Password', secret: true, help: "The agent account's password.", required: true },
  { env: 'BLITZZ_SESSION_ID', label: 'Default session code', secret: false, help: 'Default 9-digit session code for invitations.' },
  { env: 'BLITZZ_MEDIA_MICROPHONE', label: 'Microphone', secret: false, help: '0 off / 1 on; unset: the account default.' },
  { env: 'BLITZZ_MEDIA_CAMERA', label: 'Camera', secret: false, help: '0 off / 1 back / 2 front; unset: the account default.' },
  { env: 'BLITZZ_MEDIA_OBSERVER', label: 'Observer', secret: false, help: '0 guest / 1 silent observer; unset: the account default.' },
  { env: 'BLITZZ_MEDIA_PLATFORM', label: 'Platform', secret: false, help: '1 browser first / 2 app only / 3 browser only / 4 ask the user.' },
  {
    env: 'BLITZZ_INVITATION_TYPES',
    label: 'Invitation types',
    secret: false,
    help: 'InvitationType per channel, 1-6: default sms=1,whatsapp=2,email=3 (the document contradicts itself).',
  },
] as const satisfies readonly SettingField[];

/** Each variable's schema, keyed by the names in `fields` (no more, no fewer). */
export const blitzzVariables = {
  /** `https://restapi.blitzz.co`; paths are under `/api` (REFERENCE §1). */
  BLITZZ_API_URL: httpUrl('https://restapi.blitzz.co'),
  BLITZZ_SECRET_KEY: credential,
  BLITZZ_USERNAME: credential,
  BLITZZ_PASSWORD: credential,
  /** The session code callers pass to `sendInvitation` by default. */
  BLITZZ_SESSION_ID: text,
  // `QueryStringParameter` options (seed 000); unset ones take Blitzz's "Call experience" defaults.
  /** Microphone: 0 off, 1 on. */
  BLITZZ_MEDIA_MICROPHONE: oneOf([0, 1]),
  /** Camera: 0 off, 1 back camera, 2 front camera. */
  BLITZZ_MEDIA_CAMERA: oneOf([0, 1, 2]),
  /** 0 join as guest, 1 join as silent observer. */
  BLITZZ_MEDIA_OBSERVER: oneOf([0, 1]),
  /** Platform: 1 browser first, 2 app only, 3 browser only, 4 ask the user. */
  BLITZZ_MEDIA_PLATFORM: oneOf([1, 2, 3, 4]),
  /** The number sent as `InvitationType` for each channel (see `invitationTypes`). */
  BLITZZ_INVITATION_TYPES: invitationTypes(),
} satisfies Record<VariableOf<typeof fields>, unknown>;

/** Blitzz's slice of the environment → the client's settings; the media options are always present once configured. */
export const blitzzEnv = (common: CommonSettings) =>
  vendorEnv(blitzzVariables, requiredOf(fields)).transform(
    (env) =>
      env &&
      settings({
        apiUrl: trimSlash(env.BLITZZ_API_URL),
        secretKey: env.BLITZZ_SECRET_KEY,
        username: env.BLITZZ_USERNAME,
        password: env.BLITZZ_PASSWORD,
        sessionId: env.BLITZZ_SESSION_ID,
        timeoutMs: common.timeoutMs,
        invitationTypes: env.BLITZZ_INVITATION_TYPES,
        media: settings({
          m: env.BLITZZ_MEDIA_MICROPHONE,
          c: env.BLITZZ_MEDIA_CAMERA,
          o: env.BLITZZ_MEDIA_OBSERVER,
          s: env.BLITZZ_MEDIA_PLATFORM,
        }),
      }),
  );

export type BlitzzSettings = SettingsOf<typeof blitzzEnv>;

export const blitzzSettings = schemaSettings(fields, blitzzEnv);
