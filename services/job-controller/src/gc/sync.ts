/**
 * `syncGc` (Kubernetes garbagecollector.go `attemptToDeleteItem` and the deleting-dependents
 * path): guard, read the object and its dependents, decide (decide-owner.ts, decide-dependent.ts),
 * act through {@link GcControl}.
 */
import type { GcControl } from './control.js';
import { decideDependent, FOREGROUND_DELETION_FINALIZER, ORPHAN_FINALIZER } from './decide-dependent.js';
import { decideOwnerFinalization } from './decide-owner.js';
import type { GcGraph, GcKind } from './graph.js';

/** What a GC sync reads and writes through. */
export interface GcSyncContext {
  graph: GcGraph;
  control: GcControl;
}

/** How long an owner waits for its dependents before the GC looks again. */
const WAIT_FOR_DEPENDENTS_MS = 500;

/**
 * Sync one object (`<Kind>/<namespace>/<name>`). Does:
 * 1. guard: gone from the cache → nothing;
 * 2. as an owner being deleted with the orphan or foregroundDeletion finalizer: orphan or delete
 *    its dependents, then drop the finalizer — or look again while some still block it;
 * 3. as a dependent: drop references to owners that are gone or waiting, or delete it when every
 *    owner is.
 */
export async function syncGc(key: string, c: GcSyncContext): Promise<{ requeueAfterMs?: number } | void> {
  const [kind, ns, name] = key.split('/') as [GcKind, string, string];
  const obj = c.graph.get(kind, ns, name);
  if (!obj) return;
  const uid = obj.metadata.uid!;
  let requeueAfterMs: number | undefined;

  const finalizers = obj.metadata.finalizers ?? [];
  if (obj.metadata.deletionTimestamp && finalizers.some((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_DELETION_FINALIZER)) {
    const deps = c.graph.dependentsOf(uid);
    const kindOf = new Map(deps.map((d) => [d.obj, d.kind]));
    const fin = decideOwnerFinalization(
      { uid, deletionTimestamp: obj.metadata.deletionTimestamp, finalizers, dependentsHaveDependents: (d) => c.graph.dependentsOf(d.metadata.uid!).length > 0 },
      deps.map((d) => d.obj),
    );
    for (const d of fin.orphanDependents) await c.control.setOwnerReferences(kindOf.get(d.obj)!, d.obj, d.ownerReferences);
    for (const d of fin.deleteDependents) await c.control.deleteObject(kindOf.get(d.obj)!, d.obj, d.propagationPolicy);
    if (fin.removeFinalizer) await c.control.setFinalizers(kind, obj, finalizers.filter((f) => f !== fin.removeFinalizer));
    else if (fin.blocking > 0 || fin.orphanDependents.length) requeueAfterMs = WAIT_FOR_DEPENDENTS_MS;
  }

  const d = decideDependent(obj, c.graph.owner, c.graph.dependentsOf(uid).length > 0);
  if (d.kind === 'removeOwnerRefs') await c.control.setOwnerReferences(kind, obj, d.ownerReferences);
  else if (d.kind === 'delete') await c.control.deleteObject(kind, obj, d.propagationPolicy);
  return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
}
