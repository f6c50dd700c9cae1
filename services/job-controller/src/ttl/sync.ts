/**
 * `syncTtl` (Kubernetes ttlafterfinished_controller.go `processJob`): guard, decide on the cached
 * Job, decide again on an uncached read (the TTL is mutable), then delete.
 */
import { isApiError, type Job } from '@kjobs/api';
import type { TtlControl } from './control.js';
import { decideTtl } from './decide-ttl.js';

/** What a TTL sync reads and writes through. */
export interface TtlSyncContext {
  /** The Job by `namespace/name`, from the cache. */
  job(key: string): Job | undefined;
  control: TtlControl;
  now(): Date;
}

/**
 * Sync one Job. Does:
 * 1. guard: gone from the cache → nothing;
 * 2. decide on the cached Job: not expired → requeue when it will be; nothing to do → done;
 * 3. read the Job uncached (gone → done) and decide again;
 * 4. delete it (Foreground, uid precondition; NotFound and Conflict mean someone else acted).
 */
export async function syncTtl(key: string, c: TtlSyncContext): Promise<{ requeueAfterMs?: number } | void> {
  const cached = c.job(key);
  if (!cached) return;
  const d = decideTtl(cached, c.now());
  if (d.kind === 'wait') return { requeueAfterMs: d.afterMs };
  if (d.kind !== 'delete') return;

  const fresh = await c.control.getJob(cached.metadata.namespace!, cached.metadata.name!);
  if (!fresh) return;
  const again = decideTtl(fresh, c.now());
  if (again.kind === 'wait') return { requeueAfterMs: again.afterMs };
  if (again.kind !== 'delete') return;

  try {
    await c.control.deleteJob(fresh, { propagationPolicy: again.propagationPolicy, preconditions: again.preconditions });
  } catch (e) {
    if (!isApiError(e, 404) && !isApiError(e, 409)) throw e;
  }
}
