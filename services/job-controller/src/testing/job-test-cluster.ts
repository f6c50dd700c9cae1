/**
 * One Job on a real api-server in this process (memory store, @kjobs/api-server/testing), the real
 * JobController with its informers on it, a fake clock both share, and a scripted kubelet. Tests
 * drive rounds: settle the caches, `sync`, then act as the kubelet. The controller's writes go to
 * the API through a wrapper that only counts them, records events and can kill the controller
 * after its n-th write (crash tests). Test support only.
 */
import { isApiError, type Job, type Pod } from '@kjobs/api';
import { keyOf } from '@kjobs/client';
import pino from 'pino';
import { createShared, type Shared } from '../shared.js';
import type { JobControl } from '../job/control.js';
import { JobController } from '../job/controller.js';
import { isPodTerminal } from '../job/pod-facts.js';
import type { JobSyncResult } from '../job/sync.js';
import { ControllerCrashed, Recorder, type TestEvent } from './recorder.js';
import { podBody, jobBody, UidNames, waitFor } from './seed.js';
import { kubeletStatus } from './kubelet.js';
import { startApiBed, type ApiBed } from './controller-bed.js';

export { ControllerCrashed, type TestEvent };

export class JobTestCluster {
  /** The stored Job and its pods by name, as of the last operation. */
  job!: Job;
  readonly pods = new Map<string, Pod>();
  /** The controller's writes, events and crash switch. */
  readonly rec = new Recorder();
  /** Every pod ever created by the controller, by name. */
  readonly created: string[] = [];
  /** Highest number of non-terminal, non-deleted pods after any operation. */
  maxActive = 0;
  /** The terminal phase each pod reached through the scripted kubelet (kept after the pod is removed). */
  readonly outcomes = new Map<string, 'Succeeded' | 'Failed'>();
  /** The pods as the API stored them when seeded (before any sync), by name. */
  readonly seeded = new Map<string, Pod>();
  /** Real uid ↔ fixture uid (`job-uid`, `uid-<pod name>`). */
  readonly uids = new UidNames();
  controller!: JobController;
  private shared!: Shared;

  private constructor(private readonly sh: ApiBed, private readonly ownsHarness: boolean) {}

  /**
   * Create `job` (a test-fixtures Job; its status is written too) on a fresh api-server, or on
   * `o.harness` (one api-server for many clusters, as the property tests run them); the clock the
   * api-server, the controller and the scripted kubelet share is set to `now`.
   */
  static async start(job: Job, now: Date, o: { harness?: ApiBed; pods?: Pod[] } = {}): Promise<JobTestCluster> {
    const sh = o.harness ?? (await startApiBed(now));
    sh.clock.set(now);
    const c = new JobTestCluster(sh, !o.harness);
    c.shared = createShared(sh.harness.nats, pino({ level: 'silent' }), sh.clock.now);
    await Promise.all([c.shared.jobs.start(), c.shared.pods.start()]);
    c.restartController();
    await c.seed(job, o.pods ?? []);
    return c;
  }

  /** The API as the controller reaches it (NATS, as in a cluster; HTTP costs twice as much per call here). */
  get api() {
    return this.sh.harness.nats;
  }
  get now(): Date {
    return this.sh.clock.now();
  }
  set now(d: Date) {
    this.sh.clock.set(d);
  }
  get key(): string {
    return keyOf(this.job);
  }
  get events(): TestEvent[] {
    return this.rec.events;
  }

  /** Advance the clock. */
  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** A new controller process: fresh expectations, backoff and own-write memory, same caches. */
  restartController(): void {
    this.rec.revive();
    this.controller = new JobController(this.shared, undefined, { control: (base: JobControl) => this.rec.wrap(base, this.created) });
    this.rec.watchBackoff(this.controller.deps);
    this.controller.watch();
  }

  /** One sync of the Job once the caches show everything; errors (a crash included) are returned. */
  async sync(): Promise<{ result?: JobSyncResult; error?: unknown }> {
    await this.settle();
    let out: { result?: JobSyncResult; error?: unknown };
    try {
      out = { result: await this.controller.sync(this.key) };
    } catch (error) {
      out = { error };
    }
    await this.refresh();
    return out;
  }

  /** Wait until the controller's caches show the Job and its pods as the API stores them. */
  async settle(): Promise<void> {
    const uid = this.job.metadata.uid!;
    await waitFor(async () => {
      const job = await this.api.get<Job>('Job', this.job.metadata.namespace!, this.job.metadata.name!);
      if (this.shared.jobs.get(this.key)?.metadata.resourceVersion !== job.metadata.resourceVersion) return false;
      const pods = (await this.api.list<Pod>('Pod', { namespace: this.job.metadata.namespace, labelSelector: `batch.kubernetes.io/controller-uid=${uid}` })).items;
      const cached = this.shared.pods.byIndex('namespace', this.job.metadata.namespace!).filter((p) => p.metadata.labels?.['batch.kubernetes.io/controller-uid'] === uid);
      return cached.length === pods.length && pods.every((p) => this.shared.pods.get(keyOf(p))?.metadata.resourceVersion === p.metadata.resourceVersion);
    }, 'the informer caches to show the API');
  }

  /** Re-read the Job and its pods from the API. */
  async refresh(): Promise<void> {
    this.job = await this.api.get<Job>('Job', this.job.metadata.namespace!, this.job.metadata.name!);
    const pods = (await this.api.list<Pod>('Pod', { namespace: this.job.metadata.namespace, labelSelector: `batch.kubernetes.io/controller-uid=${this.job.metadata.uid}` })).items;
    this.pods.clear();
    for (const p of pods) {
      this.pods.set(p.metadata.name!, p);
      this.uids.add(p.metadata.uid!, `uid-${p.metadata.name}`);
    }
    this.maxActive = Math.max(this.maxActive, this.activePods().length);
  }

  /** Change the Job's spec through the API (e.g. suspend). */
  async updateJob(change: (j: Job) => void): Promise<void> {
    const j = structuredClone(await this.api.get<Job>('Job', this.job.metadata.namespace!, this.job.metadata.name!));
    change(j);
    await this.api.update('Job', j);
    await this.refresh();
  }

  /** DELETE a pod as a user would. */
  async deletePod(name: string): Promise<void> {
    await this.api.delete('Pod', this.job.metadata.namespace!, name);
    await this.refresh();
  }

  // ---- kubelet ----

  /** Bind every Pending pod to node-1 and start it (Running and Ready). */
  async startPending(): Promise<void> {
    const pending = [...this.pods.values()].filter((p) => p.status?.phase === 'Pending' && !p.metadata.deletionTimestamp);
    await Promise.all(
      pending.map(async (p) => {
        const ns = p.metadata.namespace!;
        await this.api.createSubresource('Pod', ns, p.metadata.name!, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name, namespace: ns }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
        await this.writeStatus(p.metadata.name!, 'Running');
      }),
    );
    if (pending.length) await this.refresh();
  }

  /** Terminate a running pod with the exit code (0 = Succeeded). */
  async finish(name: string, exitCode = 0): Promise<void> {
    await this.finishMany([name], exitCode);
  }

  /** Finish every running, non-deleted pod with the exit code. */
  async finishRunning(exitCode = 0): Promise<string[]> {
    const names = [...this.pods.values()].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
    await this.finishMany(names, exitCode);
    return names;
  }

  /** Terminate running pods, each with its exit code (0 = Succeeded). */
  async finishMany(names: string[], exitCode: number | ((name: string) => number)): Promise<void> {
    const live = names.filter((n) => this.pods.has(n) && !isPodTerminal(this.pods.get(n)!));
    await Promise.all(
      live.map(async (n) => {
        const code = typeof exitCode === 'number' ? exitCode : exitCode(n);
        await this.writeStatus(n, code === 0 ? 'Succeeded' : 'Failed', code);
        this.outcomes.set(n, code === 0 ? 'Succeeded' : 'Failed');
      }),
    );
    if (live.length) await this.refresh();
  }

  /** Kill pods being deleted (SIGTERM → exit 143; never started: Failed). */
  async killTerminating(): Promise<void> {
    const dying = [...this.pods.values()].filter((p) => p.metadata.deletionTimestamp && !isPodTerminal(p));
    await Promise.all(
      dying.map(async (p) => {
        await this.writeStatus(p.metadata.name!, 'Failed', p.spec.nodeName ? 143 : undefined);
        this.outcomes.set(p.metadata.name!, 'Failed');
      }),
    );
    if (dying.length) await this.refresh();
  }

  /** Write the pod's status as the kubelet would, from the last snapshot (re-read on a conflict). */
  private async writeStatus(name: string, phase: 'Running' | 'Succeeded' | 'Failed', exitCode?: number): Promise<void> {
    let cur = this.pods.get(name) ?? (await this.api.get<Pod>('Pod', this.job.metadata.namespace!, name));
    for (;;) {
      try {
        await this.api.update('Pod', { ...cur, status: kubeletStatus(cur, phase, this.now, exitCode) }, { subresource: 'status' });
        return;
      } catch (e) {
        if (!isApiError(e, 409)) throw e;
        cur = await this.api.get<Pod>('Pod', this.job.metadata.namespace!, name);
      }
    }
  }

  /** Pods not terminal and not being deleted. */
  activePods(): Pod[] {
    return [...this.pods.values()].filter((p) => !isPodTerminal(p) && !p.metadata.deletionTimestamp);
  }

  /** The condition of that type in the stored Job. */
  condition(type: string) {
    return this.job.status?.conditions?.find((c) => c.type === type);
  }

  /** How many pods ended in that phase. */
  count(phase: 'Succeeded' | 'Failed'): number {
    return [...this.outcomes.values()].filter((o) => o === phase).length;
  }

  /** True once the stored Job is Complete or Failed. */
  finished(): boolean {
    return ['Complete', 'Failed'].some((t) => this.condition(t)?.status === 'True');
  }

  /** Stop the informers (and the api-server, unless shared). */
  async stop(): Promise<void> {
    this.shared.jobs.stop();
    this.shared.pods.stop();
    if (this.ownsHarness) await this.sh.harness.stop();
  }

  /** Create the fixture Job and pods as the API stores them, then write the Job's status (fixture uids mapped). */
  private async seed(fixture: Job, pods: Pod[]): Promise<void> {
    const ns = fixture.metadata.namespace ?? 'default';
    const syncAt = this.now;
    this.now = new Date(fixture.metadata.creationTimestamp ?? syncAt);
    this.job = await this.api.create<Job>('Job', jobBody(fixture));
    this.uids.add(this.job.metadata.uid!, fixture.metadata.uid ?? 'job-uid');
    for (const p of pods) {
      const grace = p.metadata.deletionGracePeriodSeconds ?? 0;
      this.now = new Date(p.metadata.creationTimestamp ?? syncAt);
      const created = await this.api.create<Pod>('Pod', this.uids.toReal(podBody(p)));
      this.uids.add(created.metadata.uid!, p.metadata.uid ?? `uid-${p.metadata.name}`);
      if (p.status) await this.api.update('Pod', { ...created, status: p.status }, { subresource: 'status' });
      if (p.metadata.deletionTimestamp) {
        const graceful = !!p.spec.nodeName && !isPodTerminal(p);
        this.now = new Date(Date.parse(p.metadata.deletionTimestamp) - (graceful ? grace * 1000 : 0));
        await this.api.delete('Pod', ns, p.metadata.name!, graceful ? { gracePeriodSeconds: grace } : {});
      }
    }
    if (fixture.status) {
      const cur = await this.api.get<Job>('Job', ns, this.job.metadata.name!);
      await this.api.update('Job', { ...cur, status: this.uids.toReal(fixture.status) }, { subresource: 'status' });
    }
    if (fixture.metadata.deletionTimestamp) {
      this.now = new Date(fixture.metadata.deletionTimestamp);
      await this.api.delete('Job', ns, this.job.metadata.name!);
    }
    this.now = syncAt;
    await this.refresh();
    for (const [name, p] of this.pods) this.seeded.set(name, p);
  }
}
