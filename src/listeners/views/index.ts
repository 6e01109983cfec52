import type { App } from '@slack/bolt';
import { CALLBACK } from '../../ui/ids.js';
import { exactIds } from '../exact-ids.js';
import type { ListenerServices } from '../services.js';
import { adminGroupSubmission } from './admin-group-submission.js';
import { inviteSubmission } from './invite-submission.js';
import { vendorAccountSubmission } from './vendor-account-submission.js';
import type { ViewHandler } from './view-handler.js';

/** Every modal submission the app answers: one Bolt listener, routed by callback id (exact-ids.ts says why). */
export function registerViews(app: App, services: ListenerServices): void {
  const handlers = new Map<string, ViewHandler>([
    [CALLBACK.inviteModal, inviteSubmission(services)],
    [CALLBACK.vendorAccount, vendorAccountSubmission(services)],
    [CALLBACK.adminGroup, adminGroupSubmission(services)],
  ]);
  app.view(exactIds(handlers.keys()), async (args) => {
    await handlers.get(args.view.callback_id)?.(args);
  });
}
