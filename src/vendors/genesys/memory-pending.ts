import type { PendingOperation, PendingOperations } from '../../domain/vendor-module.js';

/**
 * Pending operations in this process only, for an app built without a database port (unit
 * tests, a single replica that accepts losing them on restart). The app wires the database's.
 */
export class MemoryPendingOperations implements PendingOperations {
  private readonly operations = new Map<string, PendingOperation>();

  async put(operation: PendingOperation): Promise<void> {
    const key = keyOf(operation.vendor, operation.sessionId);
    const createdAt = this.operations.get(key)?.createdAt ?? operation.createdAt;
    this.operations.set(key, structuredClone({ ...operation, createdAt }));
  }

  async update(vendor: string, sessionId: string, change: { reference?: string; data?: Record<string, unknown> }): Promise<boolean> {
    const operation = this.operations.get(keyOf(vendor, sessionId));
    if (!operation) return false;
    if (change.reference !== undefined) operation.reference = change.reference;
    if (change.data !== undefined) operation.data = structuredClone(change.data);
    return true;
  }

  async listByScope(vendor: string, scope: string): Promise<PendingOperation[]> {
    return this.sorted().filter((operation) => operation.vendor === vendor && operation.scope === scope);
  }

  async take(vendor: string, sessionId: string): Promise<PendingOperation | undefined> {
    const key = keyOf(vendor, sessionId);
    const operation = this.operations.get(key);
    this.operations.delete(key);
    return operation;
  }

  async takeByReference(vendor: string, reference: string): Promise<PendingOperation | undefined> {
    const found = this.sorted().find((operation) => operation.vendor === vendor && operation.reference === reference);
    return found && this.take(vendor, found.sessionId);
  }

  async listOlderThan(vendor: string, before: Date, limit: number): Promise<PendingOperation[]> {
    return this.sorted()
      .filter((operation) => operation.vendor === vendor && operation.createdAt < before)
      .slice(0, limit);
  }

  private sorted(): PendingOperation[] {
    return [...this.operations.values()].map((operation) => structuredClone(operation)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }
}

const keyOf = (vendor: string, sessionId: string) => `${vendor}\u0000${sessionId}`;
