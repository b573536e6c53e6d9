/** Calls `check` every `intervalMs` until it returns a value, or throws once `timeoutMs` has passed. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs: number; onTimeout?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(options.onTimeout?.() ?? `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
