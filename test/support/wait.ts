/** Polls `condition` until it holds; fails with `what` after `timeoutMs` (generous: the machine may be busy). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
