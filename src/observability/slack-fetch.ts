import { z } from 'zod';
import { whenBodyRead } from '../slack/response-body.js';

/** The part of every Web API answer that says whether Slack refused the call. */
const SlackAnswer = z.object({ ok: z.boolean(), error: z.string().optional() });

/**
 * A top-level `"ok": false` can only be there when this is: JSON strings escape their quotes, so
 * an answer without it is not a refusal, and only the (rare) answers with it are parsed.
 */
const MAY_BE_REFUSAL = /"ok"\s*:\s*false/;

/** The error of a refused answer (`ok: false`), read from its body; undefined for any other. */
export function refusalOf(body: string): string | undefined {
  if (!MAY_BE_REFUSAL.test(body)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const answer = SlackAnswer.safeParse(parsed);
  return answer.success && !answer.data.ok ? (answer.data.error ?? 'unknown') : undefined;
}

/**
 * A `fetch` for Slack's Web API clients (Bolt's and the background one) that reports every
 * failed call by method: the one place every Slack API call passes, including those listeners
 * make on `client` directly. Answers are passed on untouched; other URLs (response_url) too.
 */
export function slackErrorReportingFetch(apiUrl: string, onError: (method: string, error: string) => void): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // Looked up per call, not captured: tests replace the global fetch (nock) after start-up.
    const send = globalThis.fetch;
    if (!url.startsWith(apiUrl)) return send(input, init);
    const method = url.slice(apiUrl.length).split('?')[0]!;
    let response: Response;
    try {
      response = await send(input, init);
    } catch (error) {
      onError(method, 'network');
      throw error;
    }
    if (response.status === 429) onError(method, 'ratelimited');
    else if (response.status >= 500) onError(method, `http_${response.status}`);
    else if (response.ok) {
      // Slack answers a refused call with 200 and `ok: false`. The body is looked at when the
      // client reads it, from the very string it reads: no copy of the stream, no second parse
      // (cloning and parsing every answer cost ~40 µs a call, the modal's ack path included).
      whenBodyRead(response, (body) => {
        const error = body === undefined ? undefined : refusalOf(body);
        if (error !== undefined) onError(method, error);
      });
    }
    return response;
  };
}
