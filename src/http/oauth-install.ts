import type { IncomingMessage } from 'node:http';
import type { InstallationStore } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { SlackOAuth } from '../config.js';
import { correlationOf } from '../observability/request-gate.js';
import { BOT_SCOPES } from '../slack/scopes.js';

/** Where a browser starts an install, and where Slack sends it back with the code. */
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** The receiver options that turn on Bolt's installer (HTTPReceiver and SocketModeReceiver take the same). */
export interface InstallerReceiverOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  scopes: string[];
  installationStore: InstallationStore;
  installerOptions: {
    clientOptions: WebClientOptions;
    authorizationUrl: string;
    installPath: string;
    redirectUriPath: string;
    stateVerification: boolean;
    port?: number;
    callbackOptions: { afterInstallation(installation: object, options: unknown, req: IncomingMessage): Promise<boolean> };
  };
}

/** The store, and where it learns which request an install came with (its lines carry that request's id). */
export type TracedInstallationStore = InstallationStore & { traceInstall(installation: object, correlationId: string): void };

/**
 * Bolt's built-in installer: `GET /slack/install` shows the "Add to Slack" page and sets the
 * state cookie; `GET /slack/oauth_redirect` checks the state against that cookie, trades the code
 * (oauth.v2.access) and stores the installation.
 *
 * The app uses its own receiver, and Bolt hands the App's `clientOptions` only to receivers it
 * builds itself: they are passed here, so the installer's calls (oauth.v2.access, auth.test) go
 * where every other call goes (SLACK_API_URL, the error-reporting fetch). The consent page is
 * Slack's, next to its Web API: `https://slack.com/oauth/v2/authorize` for the default
 * `https://slack.com/api/`, the stand-in's own page in tests and the demo.
 */
export function installerReceiverOptions(oauth: SlackOAuth, apiUrl: string, installationStore: TracedInstallationStore, clientOptions: WebClientOptions): InstallerReceiverOptions {
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    scopes: [...BOT_SCOPES],
    installationStore,
    installerOptions: {
      clientOptions,
      authorizationUrl: new URL('../oauth/v2/authorize', apiUrl).toString(),
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      stateVerification: true,
      // Called with the redirect's request just before the installation is stored; true lets it proceed.
      callbackOptions: {
        afterInstallation: async (installation, _options, req) => {
          const correlation = correlationOf(req);
          if (correlation) installationStore.traceInstall(installation, correlation.correlationId);
          return true;
        },
      },
    },
  };
}
