import { revisionAfter, type KObject } from '@kjobs/api';
import { keyOf, rvOf } from './informer.js';

/**
 * A controller's own last write of each object, kept until its informer shows it. A sync that
 * starts from a cached copy older than its own write would act on a state it has already changed:
 * the Job controller saw a pod it had counted (finalizer gone) as neither active nor counted and
 * created a pod too many; the kubelet-agent sent a stale resourceVersion and got a 409. With this
 * tracker the sync either waits for the cache (`pending` → requeue) or starts from its own copy.
 */
export class OwnWrites<T extends KObject> {
  private readonly m = new Map<string, T>();

  /** Remember an object as the write of it returned it (with its new resourceVersion). */
  record(written: T): void {
    this.m.set(keyOf(written), written);
  }

  /**
   * Our own last write of `key` when the cache does not show it yet (`cached` absent, or the same
   * object at an older resourceVersion); otherwise undefined, and the record is dropped (the cache
   * caught up, or the object was replaced by another with the same name).
   */
  pending(key: string, cached: T | undefined): T | undefined {
    const own = this.m.get(key);
    if (!own) return undefined;
    if (!cached || own.metadata.uid !== cached.metadata.uid || !revisionAfter(rvOf(own), rvOf(cached))) {
      this.m.delete(key);
      return undefined;
    }
    return own;
  }

  /** Forget the key (its object was deleted). */
  forget(key: string): void {
    this.m.delete(key);
  }
}
