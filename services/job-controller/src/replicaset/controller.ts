import { labelSelectorToRequirements, matchesLabels, type Pod, type ReplicaSet } from '@kjobs/api';
import { Expectations, WorkQueue, keyOf, runWorkers } from '@kjobs/client';
import { controllerUid, type Shared } from '../shared.js';
import { apiReplicaSetControl } from './control.js';
import { syncReplicaSet, type ReplicaSetSyncContext } from './sync.js';

/** The ReplicaSet sync's view of the shared caches and the API, with fresh expectations. */
export function replicaSetSyncContext(s: Shared): ReplicaSetSyncContext {
  return {
    replicaSet: (key) => s.replicasets.get(key),
    podsOf: (rs: ReplicaSet) => {
      const sel = labelSelectorToRequirements(rs.spec.selector);
      return s.pods.byIndex('owner', rs.metadata.uid!).filter((p) => controllerUid(p) === rs.metadata.uid && matchesLabels(sel, p.metadata.labels));
    },
    expectations: new Expectations(),
    control: apiReplicaSetControl(s.client, s.recorder('replicaset-controller')),
  };
}

/**
 * The ReplicaSet controller's handlers: ReplicaSet events and events of the pods one controls
 * enqueue its key; pod adds and deletes also count against the expectations set before writes.
 */
export function watchReplicaSets(s: Shared, expectations: Expectations, enqueue: (key: string) => void): void {
  const enqueueOwner = (p: Pod) => {
    const uid = controllerUid(p);
    const rs = uid ? s.replicasets.byIndex('uid', uid)[0] : undefined;
    if (rs) enqueue(keyOf(rs));
    return rs;
  };
  s.replicasets.on({ add: (r) => enqueue(keyOf(r)), update: (_a, r) => enqueue(keyOf(r)), delete: (r) => expectations.delete(keyOf(r)) });
  s.pods.on({
    add: (p) => {
      const rs = enqueueOwner(p);
      if (rs) expectations.creationObserved(keyOf(rs));
    },
    update: (_a, p) => void enqueueOwner(p),
    delete: (p) => {
      const rs = enqueueOwner(p);
      if (rs) expectations.deletionObserved(keyOf(rs));
    },
  });
}

/** apps/v1 ReplicaSet controller: keeps `replicas` active pods and reports status (sync.ts). */
export class ReplicaSetController {
  private readonly queue: WorkQueue;
  private readonly context: ReplicaSetSyncContext;

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ name: 'replicaset', metrics: this.s.queueMetrics });
    this.context = replicaSetSyncContext(s);
  }

  start(workers = 2): void {
    watchReplicaSets(this.s, this.context.expectations, (key) => this.queue.add(key));
    void runWorkers(this.queue, workers, (k) => syncReplicaSet(k, this.context), (k, e) => this.s.log.warn({ rs: k, err: e }, 'replicaset sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }
}
