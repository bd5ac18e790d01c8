import { setTimeout as sleep } from 'node:timers/promises';

// The one way tests wait for something to happen: poll a condition, bounded by
// a timeout that is a safety net, never a timing assertion. Use an awaited
// event instead wherever the code offers one.

/** Polls until probe() gives a value other than undefined; throws after the timeout. */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, what = 'a condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Polls until check() holds; false on timeout, so the caller asserts and still cleans up. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  return until(async () => ((await check()) ? true : undefined), timeoutMs).catch(() => false);
}

/** Polls until check() holds; throws naming `what` on timeout. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  await until(async () => ((await check()) ? true : undefined), timeoutMs, what);
}
