import type { Context } from '@slack/bolt';
import type { InstallationScope } from '../../domain/installation.js';
import type { ListenerServices } from '../services.js';
import type { EventHandler } from './event-handler.js';
import { requestLogger } from '../actor.js';

/**
 * OAuth install: a workspace removed the app (`app_uninstalled`), or revoked its bot token
 * (`tokens_revoked` naming a bot user): its installation goes and its sessions are set aside.
 * Bolt delivers both without authorizing them (the token may already be gone); a redelivery
 * changes nothing more.
 */
export function uninstallEvents(
  installations: NonNullable<ListenerServices['installations']>,
  services: Pick<ListenerServices, 'logger'>,
): { app_uninstalled: EventHandler<'app_uninstalled'>; tokens_revoked: EventHandler<'tokens_revoked'> } {
  return {
    app_uninstalled: async ({ context }) => {
      const scope = scopeOf(context);
      if (scope) await installations.uninstalled(scope, 'app_uninstalled', requestLogger(context, services.logger));
    },
    tokens_revoked: async ({ event, context }) => {
      // Rendezvous holds bot tokens only: a user token revoked concerns nothing it keeps.
      if ((event.tokens.bot ?? []).length === 0) return;
      const scope = scopeOf(context);
      if (scope) await installations.uninstalled(scope, 'tokens_revoked', requestLogger(context, services.logger));
      else requestLogger(context, services.logger).warn('tokens_revoked without a team or enterprise: nothing removed');
    },
  };
}

/** An org-wide install is removed by its enterprise; a workspace's by its team. */
function scopeOf(context: Context): InstallationScope | undefined {
  if (context.isEnterpriseInstall && context.enterpriseId) return { enterpriseId: context.enterpriseId, orgWide: true };
  return context.teamId ? { teamId: context.teamId, enterpriseId: context.enterpriseId } : undefined;
}
