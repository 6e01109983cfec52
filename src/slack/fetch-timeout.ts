import { whenBodyRead } from './response-body.js';

/**
 * A `fetch` that gives up after `timeoutMs` (the request and the reading of its answer), for the
 * Web API clients that need a timeout (views.open within its trigger, background posts). The
 * Slack SDK's own `timeout` makes an `AbortSignal.timeout()` per call, whose timer cannot be
 * cleared: it fires long after every answer, building a TimeoutError each time (~20 µs a call in
 * the modal's profile). Here the timer is cleared once the answer is read. A call that runs out
 * fails as the SDK's own timeout makes it fail: aborted with a `TimeoutError`.
 */
export function fetchWithTimeout(timeoutMs: number, send?: typeof fetch): typeof fetch {
  // Looked up per call when not given: tests replace the global fetch (nock) after start-up.
  const next: typeof fetch = send ?? ((input, init) => globalThis.fetch(input, init));
  return async (input, init) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    let response: Response;
    try {
      response = await next(input, { ...init, signal });
    } catch (error) {
      clearTimeout(timer);
      throw error;
    }
    whenBodyRead(response, () => clearTimeout(timer));
    return response;
  };
}
