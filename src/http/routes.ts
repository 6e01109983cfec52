import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type CustomRoute } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { requestCorrelationId } from '../observability/request-gate.js';
import { checkReadiness } from '../observability/readiness.js';
import { pingDatabase, type OpenedDatabase } from '../store/database.js';
import type { WebhookTarget } from '../services/team-vendors.js';
import type { WebhookDispatch } from '../tracking/webhook-dispatch.js';
import type { VendorHealth } from '../vendors/health.js';

/** Same limit as Slack requests (PRODUCT.md §4). */
const BODY_LIMIT_BYTES = 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `GET /healthz`: database and vendor status; vendor status is the last real call's, never a probe. */
export function healthRoute(database: OpenedDatabase, health: VendorHealth, vendors: () => string[]): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: async (_req, res) => {
      const databaseOk = await pingDatabase(database.db);
      const status = Object.fromEntries(vendors().map((vendor) => [vendor, { configured: true, lastCall: health.lastCall(vendor) ?? null }]));
      json(res, databaseOk ? 200 : 503, { status: databaseOk ? 'ok' : 'degraded', database: { kind: database.kind, ok: databaseOk }, vendors: status });
    },
  };
}

/**
 * Bolt's answer to a request no route takes (404) or one that threw (500), logged by its path
 * alone: Bolt's default handler logs `req.url`, whose query may carry a webhook's `?secret=`.
 */
export function unhandledRequest(logger: Logger): (args: { error: Error; request: IncomingMessage; response: ServerResponse }) => Promise<void> {
  return async ({ error, request, response }) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const deferred = (error as { code?: string }).code === ErrorCode.HTTPReceiverDeferredRequestError;
    const log = logger.child({ correlationId: requestCorrelationId(request) });
    if (deferred) log.info({ method: request.method, path }, 'unhandled HTTP request');
    else log.error({ method: request.method, path, err: error }, 'HTTP request failed');
    response.writeHead(deferred ? 404 : 500);
    response.end();
  };
}

/** `GET /readyz`: readiness (database reachable, migrations applied, not stopping); 200 or 503 with JSON. */
export function readyRoute(database: OpenedDatabase, stopping: () => boolean): CustomRoute {
  return {
    path: '/readyz',
    method: ['GET'],
    handler: async (_req, res) => {
      const { ready, body } = await checkReadiness(database, stopping());
      json(res, ready ? 200 : 503, body);
    },
  };
}

/** `GET /metrics`: Prometheus text exposition of this app's registry. */
export function metricsRoute(metrics: Metrics): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: async (_req, res) => {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    },
  };
}

/** Constant-time comparison of the shared secret (`X-Webhook-Secret` header, or the URL's `?secret=`). */
export function secretMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `POST /webhooks/<vendor>`: the shared secret in the `X-Webhook-Secret` header (preferred) or the
 * URL (`?secret=`, for a console that offers nothing else; the logger scrubs it from every line),
 * compared in constant time; the body read by the vendor module; its session made due. Each vendor
 * account has its own secret: the one the request carries names the account, and only that
 * account's sessions are looked at.
 */
export function webhookRoute(vendor: string, targets: () => WebhookTarget[], dispatch: WebhookDispatch, logger: Logger): CustomRoute {
  return {
    path: `/webhooks/${vendor}`,
    method: ['POST'],
    handler: async (req, res) => {
      // Every line of this request carries its id, which the answer gives back (`X-Request-Id`).
      const correlationId = requestCorrelationId(req);
      res.setHeader('x-request-id', correlationId);
      const log = logger.child({ correlationId });
      const known = targets();
      if (known.length === 0) return json(res, 404, { ok: false, error: 'webhooks are not set up' });
      const header = req.headers['x-webhook-secret'];
      const given = (Array.isArray(header) ? header[0] : header) ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('secret') ?? undefined;
      // Every secret is compared (in constant time), so the answer's timing tells nothing of which matched.
      const matches = known.filter((target) => secretMatches(target.handler.secret, given));
      if (matches.length === 0) return json(res, 401, { ok: false, error: 'bad secret' });
      const raw = await readBody(req);
      if (raw === undefined) return json(res, 413, { ok: false, error: 'body over 1 MB' });
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return json(res, 400, { ok: false, error: 'body is not JSON' });
      }
      try {
        // One module reads the body whichever account it is for.
        const routed = matches[0]!.handler.route(body);
        if ('rejected' in routed) return json(res, 400, { ok: false, error: routed.rejected });
        // Accounts given the same secret are each looked in, until one has the session.
        let outcome: Awaited<ReturnType<WebhookDispatch['handle']>> = 'unknown_session';
        for (const { scope } of matches) {
          outcome = await dispatch.handle(vendor, routed, scope, log);
          if (outcome !== 'unknown_session') break;
        }
        json(res, 200, { ok: true, outcome });
      } catch (error) {
        log.error({ err: error }, 'webhook failed');
        json(res, 500, { ok: false });
      }
    },
  };
}
