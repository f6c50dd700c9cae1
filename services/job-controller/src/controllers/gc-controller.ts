import { isApiError, type KObject } from '@kjobs/api';
import { WorkQueue, runWorkers, type Informer } from '@kjobs/client';
import { decideDependent, decideOwnerFinalization, FOREGROUND_DELETION_FINALIZER, ORPHAN_FINALIZER, type GcOwner } from '../job/gc.js';
import type { Shared } from '../shared.js';

type Kind = 'Pod' | 'Job' | 'CronJob' | 'ReplicaSet';

/**
 * The garbage collector for the kinds kjobs serves: dependents (Pods, Jobs) whose owners (Jobs,
 * CronJobs, ReplicaSets) are gone are deleted (Background); an owner deleted with Foreground
 * waits for its blocking dependents; one deleted with Orphan has its references removed from
 * its dependents first. Keys are `<Kind>/<namespace>/<name>`.
 */
export class GarbageCollector {
  private readonly queue: WorkQueue;
  private readonly informers: Record<Kind, Informer<KObject>>;

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 30_000, name: 'garbage_collector_attempt_to_delete', metrics: this.s.queueMetrics });
    this.informers = { Pod: s.pods, Job: s.jobs, CronJob: s.cronjobs, ReplicaSet: s.replicasets } as unknown as Record<Kind, Informer<KObject>>;
  }

  start(): void {
    for (const kind of Object.keys(this.informers) as Kind[]) {
      const inf = this.informers[kind];
      const key = (o: KObject) => `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      inf.on({
        add: (o) => this.onObject(kind, o, key(o)),
        update: (_a, o) => this.onObject(kind, o, key(o)),
        delete: (o) => {
          // Its dependents may now be dangling.
          for (const d of this.dependentsOf(o.metadata.uid!)) this.queue.add(d.key);
        },
      });
    }
    void runWorkers(this.queue, 4, (k) => this.sync(k), (k, e) => this.s.log.warn({ object: k, err: e instanceof Error ? e.message : e }, 'gc sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private onObject(_kind: Kind, o: KObject, key: string): void {
    if ((o.metadata.ownerReferences ?? []).length || o.metadata.deletionTimestamp) this.queue.add(key);
    if (o.metadata.deletionTimestamp) for (const d of this.dependentsOf(o.metadata.uid!)) this.queue.add(d.key);
  }

  private lookup = (uid: string): GcOwner | undefined => {
    for (const kind of ['Job', 'CronJob', 'ReplicaSet'] as const) {
      const o = this.informers[kind].byIndex('uid', uid)[0];
      if (o) return { uid, deletionTimestamp: o.metadata.deletionTimestamp, finalizers: o.metadata.finalizers };
    }
    return undefined;
  };

  private dependentsOf(uid: string): { obj: KObject; key: string; kind: Kind }[] {
    const out: { obj: KObject; key: string; kind: Kind }[] = [];
    for (const kind of ['Pod', 'Job'] as const) {
      for (const o of this.informers[kind].byIndex('owner', uid)) out.push({ obj: o, key: `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, kind });
    }
    return out;
  }

  private async sync(key: string): Promise<void> {
    const [kind, ns, name] = key.split('/') as [Kind, string, string];
    const inf = this.informers[kind];
    const obj = inf.getByName(ns, name);
    if (!obj) return;
    // 1. As an owner being deleted: orphan or foreground its dependents, then drop the finalizer.
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).some((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_DELETION_FINALIZER)) {
      const deps = this.dependentsOf(obj.metadata.uid!);
      const fin = decideOwnerFinalization(
        { uid: obj.metadata.uid!, deletionTimestamp: obj.metadata.deletionTimestamp, finalizers: obj.metadata.finalizers, dependentsHaveDependents: (d) => this.dependentsOf(d.metadata.uid!).length > 0 },
        deps.map((d) => d.obj),
      );
      for (const d of fin.orphanDependents) await this.patchRefs(d.obj, d.ownerReferences);
      for (const d of fin.deleteDependents) await this.deleteObj(d.obj, d.propagationPolicy);
      if (fin.removeFinalizer) {
        const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== fin.removeFinalizer);
        await this.s.client.patch(kind, ns, name, 'merge', { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: obj.metadata.resourceVersion } }).catch((e) => {
          if (!isApiError(e, 404)) throw e;
        });
      } else if (fin.blocking > 0 || fin.orphanDependents.length) {
        this.queue.addAfter(key, 500);
      }
    }
    // 2. As a dependent: delete it when every owner is gone.
    const d = decideDependent(obj, this.lookup, this.dependentsOf(obj.metadata.uid!).length > 0);
    if (d.kind === 'removeOwnerRefs') await this.patchRefs(obj, d.ownerReferences);
    else if (d.kind === 'delete') await this.deleteObj(obj, d.propagationPolicy);
  }

  private async patchRefs(o: KObject, refs: NonNullable<KObject['metadata']['ownerReferences']>): Promise<void> {
    try {
      await this.s.client.patch(o.kind ?? kindOf(o), o.metadata.namespace ?? '', o.metadata.name!, 'merge', { metadata: { ownerReferences: refs.length ? refs : null } });
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
    }
  }

  private async deleteObj(o: KObject, propagationPolicy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    try {
      await this.s.client.delete(o.kind ?? kindOf(o), o.metadata.namespace ?? '', o.metadata.name!, { propagationPolicy, preconditions: { uid: o.metadata.uid } });
    } catch (e) {
      if (!isApiError(e, 404) && !isApiError(e, 409)) throw e;
    }
  }
}

function kindOf(o: KObject): string {
  return (o.spec as { containers?: unknown } | undefined)?.containers ? 'Pod' : 'Job';
}
