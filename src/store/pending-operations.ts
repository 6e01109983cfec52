import type { PendingOperation, PendingOperations } from '../domain/vendor-module.js';
import type { Db } from './database.js';
import type { PendingOperationsTable } from './schema.js';

/**
 * Pending vendor operations in the database. Every `take` is one `DELETE … RETURNING` (SQLite
 * 3.35+ and PostgreSQL both have it), so when two replicas hear the same outcome, one gets the
 * row and the other nothing.
 */
export class DatabasePendingOperations implements PendingOperations {
  constructor(private readonly db: Db) {}

  async put(operation: PendingOperation): Promise<void> {
    const row = toRow(operation);
    await this.db
      .insertInto('pending_operations')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['vendor', 'session_id']).doUpdateSet({
          operation: row.operation,
          scope: row.scope,
          reference: row.reference,
          data: row.data,
        }),
      )
      .execute();
  }

  async update(vendor: string, sessionId: string, change: { reference?: string; data?: Record<string, unknown> }): Promise<boolean> {
    const set = {
      ...(change.reference !== undefined ? { reference: change.reference } : {}),
      ...(change.data !== undefined ? { data: JSON.stringify(change.data) } : {}),
    };
    if (Object.keys(set).length === 0) return false;
    const result = await this.db
      .updateTable('pending_operations')
      .set(set)
      .where('vendor', '=', vendor)
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listByScope(vendor: string, scope: string): Promise<PendingOperation[]> {
    const rows = await this.db
      .selectFrom('pending_operations')
      .selectAll()
      .where('vendor', '=', vendor)
      .where('scope', '=', scope)
      .orderBy('created_at')
      .execute();
    return rows.map(fromRow);
  }

  async take(vendor: string, sessionId: string): Promise<PendingOperation | undefined> {
    const row = await this.db
      .deleteFrom('pending_operations')
      .where('vendor', '=', vendor)
      .where('session_id', '=', sessionId)
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async takeByReference(vendor: string, reference: string): Promise<PendingOperation | undefined> {
    const row = await this.db
      .deleteFrom('pending_operations')
      .where('vendor', '=', vendor)
      .where('reference', '=', reference)
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async listOlderThan(vendor: string, before: Date, limit: number): Promise<PendingOperation[]> {
    const rows = await this.db
      .selectFrom('pending_operations')
      .selectAll()
      .where('vendor', '=', vendor)
      .where('created_at', '<', before.toISOString())
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }
}

function toRow(operation: PendingOperation): PendingOperationsTable {
  return {
    vendor: operation.vendor,
    session_id: operation.sessionId,
    operation: operation.operation,
    scope: operation.scope,
    reference: operation.reference,
    data: JSON.stringify(operation.data),
    created_at: operation.createdAt.toISOString(),
  };
}

function fromRow(row: PendingOperationsTable): PendingOperation {
  return {
    vendor: row.vendor,
    sessionId: row.session_id,
    operation: row.operation,
    scope: row.scope,
    reference: row.reference,
    data: parseData(row.data),
    createdAt: new Date(row.created_at),
  };
}

/** The module parses its own data with its schema; here only an object is promised. */
function parseData(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
