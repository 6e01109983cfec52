import { latestAppliedMigration, latestKnownMigration, pingDatabase, type OpenedDatabase } from '../store/database.js';

export interface Readiness {
  ready: boolean;
  body: {
    status: 'ready' | 'not ready' | 'stopping';
    database: { kind: string; reachable: boolean };
    migrations: { applied: string | null; expected: string; current: boolean };
  };
}

/** How long /readyz waits for the database: a load balancer probes often and must not pile up. */
export const READINESS_TIMEOUT_MS = 2000;

/**
 * Ready to take traffic: not shutting down, the database answers `select 1` within the timeout,
 * and the newest migration this code knows is recorded there (a replica started before the
 * migrations ran is not ready). Unlike /healthz (liveness), vendors play no part.
 */
export async function checkReadiness(database: OpenedDatabase, stopping: boolean, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  const expected = await latestKnownMigration();
  const reachable = !stopping && (await pingDatabase(database.db, timeoutMs));
  const applied = reachable ? await latestAppliedMigration(database.db, timeoutMs).catch(() => undefined) : undefined;
  const current = applied !== undefined && applied >= expected;
  const ready = !stopping && reachable && current;
  return {
    ready,
    body: {
      status: stopping ? 'stopping' : ready ? 'ready' : 'not ready',
      database: { kind: database.kind, reachable },
      migrations: { applied: applied ?? null, expected, current },
    },
  };
}
