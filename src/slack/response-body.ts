/**
 * Calls `done` once, when `response`'s body has been read by whoever reads it (text, json,
 * arrayBuffer: what Web API clients call; the Slack SDK reads `text()`), with the body as text,
 * or with nothing when the read failed. The reader gets the very same body: no copy of the
 * stream, no second parse.
 */
export function whenBodyRead(response: Response, done: (body: string | undefined) => void): void {
  const readText = response.text.bind(response);
  const readBytes = response.arrayBuffer.bind(response);
  let called = false;
  const once = (body: string | undefined) => {
    if (called) return;
    called = true;
    done(body);
  };
  const text = async () => {
    try {
      const body = await readText();
      once(body);
      return body;
    } catch (error) {
      once(undefined);
      throw error;
    }
  };
  Object.defineProperties(response, {
    text: { value: text, configurable: true },
    // Response.json() is the body's text, parsed: a body that is not JSON rejects the same way.
    json: { value: async () => JSON.parse(await text()) as unknown, configurable: true },
    arrayBuffer: {
      value: async () => {
        try {
          const bytes = await readBytes();
          once(new TextDecoder().decode(bytes));
          return bytes;
        } catch (error) {
          once(undefined);
          throw error;
        }
      },
      configurable: true,
    },
  });
}
