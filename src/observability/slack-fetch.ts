import { z } from 'zod';

/** The part of every Web API answer that says whether Slack refused the call. */
const SlackAnswer = z.object({ ok: z.boolean(), error: z.string().optional() });

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
      // Slack answers a refused call with 200 and `ok: false`; read a copy, the client reads the original.
      response
        .clone()
        .json()
        .then((body: unknown) => {
          const answer = SlackAnswer.safeParse(body);
          if (answer.success && !answer.data.ok) onError(method, answer.data.error ?? 'unknown');
        })
        .catch(() => undefined);
    }
    return response;
  };
}
