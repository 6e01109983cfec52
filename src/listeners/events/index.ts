import type { App } from '@slack/bolt';
import { exactIds } from '../exact-ids.js';
import type { ListenerServices } from '../services.js';
import { appHomeOpened } from './app-home-opened.js';
import { uninstallEvents } from './app-uninstalled.js';
import type { EventHandler } from './event-handler.js';
import { linkShared } from './link-shared.js';

/**
 * The Events API events the app answers: the Home tab, link_shared and, with OAuth install, the
 * uninstall events; one Bolt listener, routed by event type (exact-ids.ts says why).
 */
export function registerEvents(app: App, services: ListenerServices): void {
  const handlers: Record<string, EventHandler<string>> = {
    app_home_opened: appHomeOpened(services) as EventHandler<string>,
    link_shared: linkShared(services) as EventHandler<string>,
    ...(services.installations ? (uninstallEvents(services.installations, services) as Record<string, EventHandler<string>>) : {}),
  };
  app.event(exactIds(Object.keys(handlers)), async (args) => {
    await handlers[args.event.type]?.(args);
  });
}
