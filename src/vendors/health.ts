import type { LastCall } from '../domain/vendor-health.js';

export type { LastCall };

/** The outcome of each vendor's last real call; /healthz and `vendors` read it, never probing. */
export class VendorHealth {
  private readonly last = new Map<string, LastCall>();

  record(vendor: string, operation: string, ok: boolean, code?: string): void {
    this.last.set(vendor, { operation, ok, at: new Date().toISOString(), ...(code ? { code } : {}) });
  }

  lastCall(vendor: string): LastCall | undefined {
    return this.last.get(vendor);
  }
}
