import type { CommonSettings, SettingField } from '../../domain/vendor-module.js';
import {
  credential,
  credentialUrl,
  requiredOf,
  schemaSettings,
  settings,
  text,
  trimSlash,
  vendorEnv,
  wholeNumber,
  type SettingsOf,
  type VariableOf,
} from '../settings-schema.js';

const fields = [
  { env: 'CONPEEK_API_URL', label: 'API URL', secret: false, help: "Your tenant's API base URL (paths are appended to it).", required: true },
  { env: 'CONPEEK_API_KEY', label: 'API key', secret: true, help: 'The raw API key.', required: true },
  { env: 'CONPEEK_BRIDGE_ID', label: 'Default bridge id', secret: false, help: 'Default conference bridge for meetings.' },
  { env: 'CONPEEK_ROOM_ID', label: 'Default room id', secret: false, help: 'Default conference room for meetings.' },
  { env: 'CONPEEK_PROJECT', label: 'Project', secret: false, help: 'project_target_identifier for one-to-one video chats.' },
] as const satisfies readonly SettingField[];

/** Each variable's schema, keyed by the names in `fields` (no more, no fewer). */
export const conpeekVariables = {
  CONPEEK_API_URL: credentialUrl,
  CONPEEK_API_KEY: credential,
  /** Default conference bridge and room for room invitations. */
  CONPEEK_BRIDGE_ID: wholeNumber(),
  CONPEEK_ROOM_ID: wholeNumber(),
  /** Default `project_target_identifier` for meets. */
  CONPEEK_PROJECT: text,
} satisfies Record<VariableOf<typeof fields>, unknown>;

/** Conpeek's slice of the environment → the client's settings. */
export const conpeekEnv = (common: CommonSettings) =>
  vendorEnv(conpeekVariables, requiredOf(fields)).transform(
    (env) =>
      env &&
      settings({
        apiUrl: trimSlash(env.CONPEEK_API_URL),
        apiKey: env.CONPEEK_API_KEY,
        bridgeId: env.CONPEEK_BRIDGE_ID,
        roomId: env.CONPEEK_ROOM_ID,
        project: env.CONPEEK_PROJECT,
        timeoutMs: common.timeoutMs,
      }),
  );

export type ConpeekSettings = SettingsOf<typeof conpeekEnv>;

export const conpeekSettings = schemaSettings(fields, conpeekEnv);
