import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import type { Logger } from '../logger.js';
import { requestCorrelationId, requestPath } from '../observability/request-gate.js';

/** Slack asks apps to refuse a request dated more than five minutes from now, either way. */
export const REQUEST_TIMESTAMP_TOLERANCE_S = 5 * 60;

/**
 * Whether a request's `X-Slack-Request-Timestamp` (seconds) is within five minutes of `nowMs`,
 * before or after. A missing or malformed one passes here: Bolt's own verification refuses it.
 */
export function timestampAcceptable(header: string | string[] | undefined, nowMs: number): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value)) return true;
  return Math.abs(Number(value) - Math.floor(nowMs / 1000)) <= REQUEST_TIMESTAMP_TOLERANCE_S;
}

/**
 * Bolt's HTTPReceiver with one check in front of its signature verification: Bolt refuses
 * requests older than five minutes but accepts any dated in the future, which would let a
 * captured, signed request be replayed for as long as its date lies ahead. Bolt's own
 * verification (signature and past dates) still runs on everything that passes.
 */
export class SlackReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions, checks: { logger: Logger; now?: () => number }) {
    super(options);
    const slackPaths = ([] as string[]).concat(options.endpoints ?? ['/slack/events']);
    // Bolt's server calls `this.requestListener` for every request (HTTPReceiver.start); it is
    // private in Bolt's types only, so it is wrapped here rather than the server rebuilt.
    // test/e2e/slack-requests.test.ts fails if a Bolt upgrade stops calling it.
    const receiver = this as unknown as { requestListener: (req: IncomingMessage, res: ServerResponse) => void };
    const verified = receiver.requestListener;
    receiver.requestListener = (req, res) => {
      const path = requestPath(req);
      const timestamp = req.headers['x-slack-request-timestamp'];
      if (req.method === 'POST' && slackPaths.includes(path) && !timestampAcceptable(timestamp, (checks.now ?? Date.now)())) {
        checks.logger.child({ correlationId: requestCorrelationId(req) }).warn({ path, timestamp }, 'Slack request refused: dated more than 5 minutes from now');
        res.writeHead(401);
        res.end();
        return;
      }
      verified(req, res);
    };
  }
}
