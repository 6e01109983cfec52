import type { ExpressionBuilder, ExpressionWrapper, SqlBool, StringReference } from 'kysely';

/**
 * A lease column's test, the same for every lease the database holds (tracking, outbox,
 * creation jobs, job runs, token refresh, Slack calls, workflow steps): nobody holds it, or the
 * holder's time ran out before `nowIso`. One `UPDATE … WHERE` with it is how a replica claims.
 */
export function leaseFree<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, column: StringReference<DB, TB>, nowIso: string): ExpressionWrapper<DB, TB, SqlBool> {
  // Every lease column holds ISO-8601 text; Kysely cannot see that through a generic column.
  return eb.or([eb(column, 'is', null), eb(column, '<', nowIso as never)]);
}
