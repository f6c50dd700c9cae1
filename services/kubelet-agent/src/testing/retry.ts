import { setTimeout as sleep } from 'node:timers/promises';

/** `fn`'s value once it stops throwing; its last error after `ms`. */
export async function untilNoThrow<T>(fn: () => Promise<T>, ms = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(everyMs);
    }
  }
}
