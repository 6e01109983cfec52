/**
 * `start`, wrapped to remember each sandbox it starts; every one is closed after each test of the
 * `describe` block this is called in.
 */
export function closedAfterEach<A extends unknown[], S extends { close(): Promise<void> }>(
  start: (...args: A) => Promise<S>,
): (...args: A) => Promise<S> {
  const running: S[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
  });
  return async (...args) => {
    const sandbox = await start(...args);
    running.push(sandbox);
    return sandbox;
  };
}
