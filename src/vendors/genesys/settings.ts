import type { CommonSettings, SettingField } from '../../domain/vendor-module.js';
import {
  credential,
  credentialUrl,
  httpUrl,
  oneOf,
  requiredOf,
  schemaSettings,
  seconds,
  settings,
  trimSlash,
  vendorEnv,
  type SettingsOf,
  type VariableOf,
} from '../settings-schema.js';

const fields = [
  { env: 'GENESYS_API_URL', label: 'API URL', secret: false, help: 'Your Web Services deployment, e.g. https://gws.example.com.', required: true },
  { env: 'GENESYS_USERNAME', label: 'Username', secret: false, help: 'The account that acts in the SMS sessions it takes part in.', required: true },
  { env: 'GENESYS_PASSWORD', label: 'Password', secret: true, help: "That account's password.", required: true },
  { env: 'GENESYS_SMS_PATH', label: 'SMS session path', secret: false, help: 'me/smssessions (default) or smssessions: the documents disagree.' },
  {
    env: 'GENESYS_INVITE_PARAMETER',
    label: 'Invite parameter',
    secret: false,
    help: 'target (default: targetUri or targetPath, as the parameter table says) or userUri (as the sample request sends).',
  },
  { env: 'GENESYS_OUTCOME_TIMEOUT_SECONDS', label: 'Outcome wait', secret: false, help: 'How long an Invite waits for its outcome before the card says "not confirmed by Genesys" (default 60).' },
  { env: 'GENESYS_NOTIFICATIONS_URL', label: 'Notifications URL', secret: false, help: 'CometD endpoint; default <GENESYS_API_URL>/api/v2/notifications.' },
] as const satisfies readonly SettingField[];

/** Each variable's schema, keyed by the names in `fields` (no more, no fewer). */
export const genesysVariables = {
  /** The deployment's root, e.g. `http://host:8080`; paths are under `/api/v2/…` (REFERENCE §2). */
  GENESYS_API_URL: credentialUrl,
  GENESYS_USERNAME: credential,
  GENESYS_PASSWORD: credential,
  /** The seed's table says `me/smssessions`, its sample `smssessions`: the deployment decides. */
  GENESYS_SMS_PATH: oneOf(['me/smssessions', 'smssessions'], 'me/smssessions'),
  /**
   * The seed's parameter table names `targetUri`/`targetPath`, its sample request `userUri`:
   * `target` follows the table (a URI as `targetUri`, a path as `targetPath`), `userUri` the sample.
   */
  GENESYS_INVITE_PARAMETER: oneOf(['target', 'userUri'], 'target'),
  /** No outcome after this long: "not confirmed by Genesys" (never "failed": it may still have worked). */
  GENESYS_OUTCOME_TIMEOUT_SECONDS: seconds(60),
  /** The CometD endpoint; default `${apiUrl}/api/v2/notifications` (an assumption, see notifications.ts). */
  GENESYS_NOTIFICATIONS_URL: httpUrl(),
} satisfies Record<VariableOf<typeof fields>, unknown>;

/** Genesys's slice of the environment → the client's settings; the notifications URL is checked after the account's credentials. */
export const genesysEnv = (common: CommonSettings) =>
  vendorEnv(genesysVariables, requiredOf(fields), {
    afterGroup: ['GENESYS_NOTIFICATIONS_URL'],
  }).transform(
    (env) =>
      env &&
      settings({
        apiUrl: trimSlash(env.GENESYS_API_URL),
        username: env.GENESYS_USERNAME,
        password: env.GENESYS_PASSWORD,
        smsPath: env.GENESYS_SMS_PATH,
        notificationsUrl: env.GENESYS_NOTIFICATIONS_URL,
        inviteParameter: env.GENESYS_INVITE_PARAMETER,
        outcomeTimeoutMs: env.GENESYS_OUTCOME_TIMEOUT_SECONDS,
        timeoutMs: common.timeoutMs,
      }),
  );

export type GenesysSettings = SettingsOf<typeof genesysEnv>;

export const genesysSettings = schemaSettings(fields, genesysEnv);
