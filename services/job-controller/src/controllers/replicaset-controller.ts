import { isApiError, matchesLabels, labelSelectorToRequirements, type Pod, type ReplicaSet } from '@kjobs/api';
import { Expectations, WorkQueue, keyOf, runWorkers } from '@kjobs/client';
import { decideReplicaSet, podForReplicaSet } from '../replicaset/decide.js';
import { controllerUid, type Shared } from '../shared.js';

/** apps/v1 ReplicaSet controller: keeps `replicas` active pods, reports status. */
export class ReplicaSetController {
  private readonly queue: WorkQueue;
  private readonly expectations = new Expectations();

  constructor(private readonly s: Shared) {
    this.queue = new WorkQueue({ name: 'replicaset', metrics: this.s.queueMetrics });
  }

  start(workers = 2): void {
    const enqueueOwner = (p: Pod) => {
      const uid = controllerUid(p);
      const rs = uid ? this.s.replicasets.byIndex('uid', uid)[0] : undefined;
      if (rs) this.queue.add(keyOf(rs));
      return rs;
    };
    this.s.replicasets.on({ add: (r) => this.queue.add(keyOf(r)), update: (_a, r) => this.queue.add(keyOf(r)), delete: (r) => this.expectations.delete(keyOf(r)) });
    this.s.pods.on({
      add: (p) => {
        const rs = enqueueOwner(p);
        if (rs) this.expectations.creationObserved(keyOf(rs));
      },
      update: (_a, p) => void enqueueOwner(p),
      delete: (p) => {
        const rs = enqueueOwner(p);
        if (rs) this.expectations.deletionObserved(keyOf(rs));
      },
    });
    void runWorkers(this.queue, workers, (k) => this.sync(k), (k, e) => this.s.log.warn({ rs: k, err: e }, 'replicaset sync failed'));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(key: string): Promise<void> {
    const rs = this.s.replicasets.get(key);
    if (!rs) return;
    if (!this.expectations.satisfied(key)) return;
    const sel = labelSelectorToRequirements(rs.spec.selector);
    const pods = this.s.pods.byIndex('owner', rs.metadata.uid!).filter((p) => controllerUid(p) === rs.metadata.uid && matchesLabels(sel, p.metadata.labels));
    const d = decideReplicaSet(rs, pods);
    const rec = this.s.recorder('replicaset-controller');
    if (d.create > 0) {
      this.expectations.expect(key, d.create, 0);
      await Promise.all(Array.from({ length: d.create }, async () => {
        try {
          const p = await this.s.client.create<Pod>('Pod', podForReplicaSet(rs));
          rec.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`);
        } catch (e) {
          this.expectations.creationObserved(key);
          rec.record(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      }));
    }
    if (d.remove.length) {
      this.expectations.expect(key, 0, d.remove.length);
      await Promise.all(d.remove.map(async (p) => {
        try {
          await this.s.client.delete('Pod', p.metadata.namespace!, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          rec.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (e) {
          this.expectations.deletionObserved(key);
          if (!isApiError(e, 404)) throw e;
        }
      }));
    }
    const cur = rs.status ?? { replicas: 0 };
    if (JSON.stringify({ ...cur }) !== JSON.stringify({ ...cur, ...d.status })) {
      await this.s.client.update<ReplicaSet>('ReplicaSet', { ...rs, status: { ...cur, ...d.status } }, { subresource: 'status' });
    }
  }
}
