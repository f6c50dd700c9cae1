import type { Logger } from './logger.js';

/** Subscribers to one kind of notification; one that throws is logged and the others still run. */
export class Listeners<T> {
  private readonly cbs = new Set<(v: T) => void>();

  constructor(private readonly what: string, private readonly log: Logger) {}

  /** Subscribe; returns the unsubscribe function. */
  add(cb: (v: T) => void): () => void {
    this.cbs.add(cb);
    return () => this.cbs.delete(cb);
  }

  /** Call every subscriber with `v`; `uid` goes into the log line of one that throws. */
  emit(v: T, uid: string): void {
    for (const cb of this.cbs) {
      try {
        cb(v);
      } catch (err) {
        this.log.warn({ uid, err }, `${this.what} listener threw`);
      }
    }
  }
}
