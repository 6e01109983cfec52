import type { CommonSettings, SettingField } from '../../domain/vendor-module.js';
import { credential, credentialUrl, requiredOf, schemaSettings, settings, trimSlash, vendorEnv, type SettingsOf, type VariableOf } from '../settings-schema.js';

const fields = [
  { env: 'IMBEE_API_URL', label: 'API URL', secret: false, help: 'The host Imbee gives you, e.g. https://api.imbee.example.', required: true },
  { env: 'IMBEE_AUTH', label: 'Auth', secret: true, help: 'myAuth (Authorization header).', required: true },
  { env: 'IMBEE_CORPORATE_TOKEN', label: 'Corporate token', secret: true, help: 'myCorporateToken (X-WOOS-KEY header).', required: true },
  { env: 'IMBEE_BOT_IDSHA', label: 'Bot id', secret: false, help: "The bot's identifier (bot_idsha).", required: true },
] as const satisfies readonly SettingField[];

/** Each variable's schema, keyed by the names in `fields` (no more, no fewer). */
export const imbeeVariables = {
  IMBEE_API_URL: credentialUrl,
  /** `myAuth` of seed 004, sent raw as `Authorization`. */
  IMBEE_AUTH: credential,
  /** `myCorporateToken` of seed 004, sent as `X-WOOS-KEY`. */
  IMBEE_CORPORATE_TOKEN: credential,
  IMBEE_BOT_IDSHA: credential,
} satisfies Record<VariableOf<typeof fields>, unknown>;

/** Imbee's slice of the environment → the client's settings. */
export const imbeeEnv = (common: CommonSettings) =>
  vendorEnv(imbeeVariables, requiredOf(fields)).transform(
    (env) =>
      env &&
      settings({
        apiUrl: trimSlash(env.IMBEE_API_URL),
        auth: env.IMBEE_AUTH,
        corporateToken: env.IMBEE_CORPORATE_TOKEN,
        botIdsha: env.IMBEE_BOT_IDSHA,
        timeoutMs: common.timeoutMs,
      }),
  );

export type ImbeeSettings = SettingsOf<typeof imbeeEnv>;

export const imbeeSettings = schemaSettings(fields, imbeeEnv);
