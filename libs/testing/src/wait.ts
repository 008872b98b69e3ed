/**
 * Polls `probe` until it gives a truthy value and returns that value: for conditions
 * (`() => received.length === 3`) and for finders (`() => decisions.find(...)`) alike. `what`
 * names the awaited thing in the timeout error.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
  what = 'a condition',
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found as Exclude<T, undefined | null | false>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Resolves once `count` has not changed for `quietMs`: for a test that has seen everything it
 * expected and must also see that nothing more (a duplicate) arrives.
 */
export async function settled(count: () => number, quietMs = 5_000): Promise<void> {
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (count() !== last) {
      last = count();
      since = Date.now();
    }
  }
}
