/** A vendor's last real call, as /healthz, `vendors` and the App Home show it. */
export interface LastCall {
  operation: string;
  ok: boolean;
  at: string;
  code?: string;
}
