import { ApiError, isApiError, type Pod, type Service, objectKey } from '@kjobs/api';
import { serveStream, StreamError, type LogRequest } from '@kjobs/bus';
import { EventRecorder, Informer, OwnWrites, WorkQueue, runWorkers } from '@kjobs/client';
import type { Subscription } from '@nats-io/transport-node';
import type { AgentOptions } from './agent-options.js';
import { ProcessRuntime, loadCatalog, type LogOptions } from './runtime/index.js';
import { builtinKuardProgram } from './runtime/catalog.js';
import { registerNode, renewNodeLease } from './node-heartbeat.js';
import { PodConfigCache } from './pod-config-cache.js';
import { createEngine } from './runtime-choice.js';
import { serveExec } from './serve-exec.js';
import { serviceEnvOf } from './service-env.js';
import { FirstRunningHold, statusChanged } from './status-hold.js';
import { POD_NETWORK_ANNOTATION, PodNetworkPlan } from './pod-network-plan.js';
import { dialDirect, servePortForward } from './serve-port-forward.js';
import { PodHostsSync } from './pod-hosts-sync.js';

/**
 * The kubelet: registers its Node, renews its Lease, runs the pods bound to it with the process
 * runtime, reports their status, serves their logs over NATS, and force-deletes a deleted pod
 * once its processes are gone. Level-triggered: every sync compares the pod object with the
 * runtime and writes status only when it changed.
 */
export class KubeletAgent {
  private runtime!: ProcessRuntime;
  private net: PodNetworkPlan | undefined;
  private hostsSync: PodHostsSync | undefined;
  private readonly pods: Informer<Pod>;
  /** Every Service, for the env vars of new pods (the kubelet's service lister): no list per pod. */
  private readonly services: Informer<Service>;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  /** pod uid → pod key, to map runtime changes back to the queue. */
  private readonly keyByUid = new Map<string, string>();
  /** pod key → uid, to remove a pod whose object vanished. */
  private readonly uidByKey = new Map<string, string>();
  /** pod uid → its Service env vars, fixed when the pod is admitted (as in Kubernetes). */
  private readonly svcEnv = new Map<string, Record<string, string>>();
  /**
   * Each pod as this agent's last status write returned it. The informer may not show that write
   * yet, and a sync starting from the cached copy would send a stale resourceVersion: 409, then a
   * retry after backoff (for `true` pods, one status write in four). Dropped as soon as the cache
   * catches up.
   */
  private readonly written = new OwnWrites<Pod>();
  /** Holds a pod's first Running status briefly (see FirstRunningHold). */
  private readonly hold: FirstRunningHold;
  /** The ConfigMaps and Secrets of the pods here (per-pod gets, refreshed every configRefreshMs). */
  private readonly configs: PodConfigCache;
  private readonly timers: NodeJS.Timeout[] = [];
  private logSub?: Subscription;
  private execSub?: Subscription;
  private portForwardSub?: Subscription;
  private stopped = false;
  private synced = false;

  constructor(private readonly o: AgentOptions) {
    this.queue = new WorkQueue({ baseDelayMs: 50, maxDelayMs: 5_000, name: 'kubelet_pod_sync', metrics: o.queueMetrics });
    this.pods = new Informer<Pod>(o.client, 'Pod', { fieldSelector: `spec.nodeName=${o.node.name}`, onError: (e) => o.log.warn({ err: e }, 'pod informer') });
    this.services = new Informer<Service>(o.client, 'Service', { onError: (e) => o.log.warn({ err: e }, 'service informer') });
    this.services.addIndex('namespace', (s) => [s.metadata.namespace ?? 'default']);
    this.events = new EventRecorder(o.client, 'kubelet', o.node.name);
    this.configs = new PodConfigCache(o.client, o.configRefreshMs ?? 10_000);
    this.hold = new FirstRunningHold(o.statusHoldMs ?? 25);
  }

  async start(): Promise<void> {
    const bits = this.o.kuardKeyBits;
    const catalog = await loadCatalog({
      catalogFile: this.o.catalogFile,
      ...(bits ? { kuardProgram: async () => { const p = await builtinKuardProgram(); return { ...p, args: [...p.args, `--keygen-key-bits=${bits}`] }; } } : {}),
    });
    const rlog = this.o.log.child({ component: 'runtime' });
    const engine = await createEngine({
      choice: this.o.runtime ?? 'auto', rootDir: this.o.rootDir, registriesFile: this.o.registriesFile, log: rlog,
      ...(this.o.podPidsLimit !== undefined ? { podPidsLimit: this.o.podPidsLimit } : {}),
      ...(this.o.imagePullBackoff ? { pullBackoff: this.o.imagePullBackoff } : {}),
    });
    this.net = PodNetworkPlan.decide(this.o.podNetwork ?? 'auto', { rootDir: this.o.rootDir, log: rlog });
    this.o.node.annotations = { ...this.o.node.annotations, [POD_NETWORK_ANNOTATION]: this.net.description };
    this.runtime = new ProcessRuntime({ rootDir: this.o.rootDir, nodeName: this.o.node.name, podIPRange: this.o.podIPRange, catalog, hostIP: this.o.node.hostIP, logger: rlog, backoff: this.o.crashLoopBackoff, volumes: { allowHostPath: this.o.allowHostPath ?? true }, ...(engine ? { engine } : {}), ...(this.net.network ? { podNetwork: this.net.network } : {}) });
    this.o.node.runtimeVersion = this.runtime.engine.runtimeVersion;
    this.o.log.info({ runtime: this.runtime.engine.runtimeVersion }, 'container runtime');
    this.runtime.onChange((uid) => {
      const k = this.keyByUid.get(uid);
      if (k) this.queue.add(k);
    });
    const recovered = await this.runtime.recover();
    this.o.log.info({ recovered: recovered.length }, 'runtime recovered');
    this.runtime.onEvent((e) => {
      this.events.record({ apiVersion: 'v1', kind: 'Pod', metadata: { name: e.podName, namespace: e.namespace, uid: e.podUid } }, e.type, e.reason, e.message);
      this.o.metrics?.observeEvent(e.reason, e.message);
    });
    await this.register();
    await this.net.connect({ client: this.o.client, nodeName: this.o.node.name, clusterCIDR: this.o.clusterCIDR ?? '10.244.0.0/16', ...(this.o.nodeNetns ? { hostNetns: this.o.nodeNetns } : {}), ...(this.o.podEgress?.mode === 'proxy' ? { egress: { allowLoopback: this.o.podEgress.allowLoopback } } : {}), timeoutMs: 30_000, isStopped: () => this.stopped });
    await this.renewLease();
    this.timers.push(setInterval(() => void this.renewLease().catch((e) => this.o.log.warn({ err: e }, 'lease renewal failed')), this.o.heartbeatMs ?? 10_000));
    this.timers.push(setInterval(() => void this.register().catch((e) => this.o.log.warn({ err: e }, 'node status update failed')), this.o.statusMs ?? 60_000));
    this.pods.on({
      add: (p) => this.track(p),
      update: (_a, p) => this.track(p),
      delete: (p) => this.queue.add(objectKey(p)),
    });
    await this.services.start();
    await this.pods.start();
    // Pods this node ran that the API no longer binds here: end them, leave nothing behind.
    const keep = this.pods.list().map((p) => p.metadata.uid!);
    const orphans = await this.runtime.killOrphans(keep, { gracePeriodSeconds: 5 });
    if (orphans.length) this.o.log.info({ orphans: orphans.length }, 'ended orphaned pods');
    this.logSub = serveStream<LogRequest>(this.o.nc, this.o.subjects.node(this.o.node.name, 'logs'), (req, out) => this.serveLogs(req, out));
    this.execSub = serveExec(this.o.nc, this.o.subjects.node(this.o.node.name, 'exec'), (uid, c, argv, opts) => this.runtime.exec(uid, c, argv, opts));
    if (this.net.network) {
      // Indexed Jobs' pods find each other by <hostname>.<subdomain> through their /etc/hosts.
      this.hostsSync = new PodHostsSync({ client: this.o.client, rootDir: this.o.rootDir, log: rlog, records: () => this.runtime.knownPods().flatMap((uid) => this.runtime.podRecord(uid) ?? []) });
      this.hostsSync.start();
    }
    this.portForwardSub = servePortForward(this.o.nc, this.o.subjects.node(this.o.node.name, 'portforward'), (req) => {
      const r = this.runtime.podRecord(req.uid);
      if (!r?.podIP) throw new StreamError(404, `pod "${req.name}" is not running on node ${this.o.node.name}`);
      // A pod on the pod network is reached from inside it, as the kubelet does; else its loopback address directly.
      return r.netns && this.net?.network ? this.net.network.dial(r.podIP, req.port, 10_000) : dialDirect(r.podIP, req.port);
    });
    void runWorkers(this.queue, this.o.workers ?? 16, (k) => this.sync(k), (k, e) => this.o.log.warn({ pod: k, err: e }, 'pod sync failed'));
    this.synced = true;
    this.o.log.info({ node: this.o.node.name }, 'kubelet-agent running');
  }

  /** Has start finished: Node registered, pod and Service caches listed, workers running? */
  hasSynced(): boolean {
    return this.synced && !this.stopped;
  }

  /**
   * Stop. By default pods keep running and a restarted agent re-attaches to them; with
   * `shutdownPods` the node shuts down (as the kubelet's graceful node shutdown): every pod is
   * killed, its grace period capped at `maxGraceSeconds`, and nothing of the pods is left.
   */
  async stop(o: { shutdownPods?: boolean; maxGraceSeconds?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.logSub?.unsubscribe();
    this.execSub?.unsubscribe();
    this.portForwardSub?.unsubscribe();
    this.hostsSync?.stop();
    this.queue.shutdown();
    this.pods.stop();
    this.services.stop();
    if (o.shutdownPods) {
      try {
        await this.runtime?.shutdown(o.maxGraceSeconds ?? 5);
      } finally {
        // Whatever happened to the pods, the node's namespaces, links and IPAM files go.
        await this.net?.shutdown().catch((e: unknown) => this.o.log.warn({ err: e }, 'pod network teardown failed'));
      }
    } else await this.runtime?.close();
  }

  private track(p: Pod): void {
    const k = objectKey(p);
    const uid = p.metadata.uid!;
    const prev = this.uidByKey.get(k);
    if (prev && prev !== uid) {
      // Same name, new pod: the old one is gone.
      void this.runtime.removePod(prev).catch(() => undefined);
      this.keyByUid.delete(prev);
    }
    this.keyByUid.set(uid, k);
    this.uidByKey.set(k, uid);
    this.queue.add(k);
  }

  /** Register (or refresh) the Node object with Ready=True. */
  private register(): Promise<void> {
    return registerNode(this.o.client, this.o.node, this.events);
  }

  private renewLease(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return renewNodeLease(this.o.client, this.o.node.name, () => this.register());
  }

  /** The newest copy of a pod this agent knows: the cache, or its own last status write if newer. */
  private currentPod(key: string): Pod | undefined {
    const cached = this.pods.get(key);
    return this.written.pending(key, cached) ?? cached;
  }

  /** Make one pod's processes and status match its object. */
  private async sync(key: string): Promise<{ requeueAfterMs: number } | void> {
    const pod = this.currentPod(key);
    if (!pod) {
      this.hold.forget(key);
      const uid = this.uidByKey.get(key);
      if (uid) {
        this.o.metrics?.forget(uid);
        await this.runtime.removePod(uid);
        this.svcEnv.delete(uid);
        this.configs.forget(uid);
        this.uidByKey.delete(key);
        this.keyByUid.delete(uid);
      }
      return;
    }
    const uid = pod.metadata.uid!;
    const known = this.runtime.podRecord(uid) !== undefined;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.o.metrics?.forget(uid);
      // Terminal in the API (it ended here, or the node-lifecycle controller failed it while this
      // agent was away): a terminal phase never goes back, so end anything still running.
      if (known) await this.runtime.killPod(uid, pod.spec.terminationGracePeriodSeconds ?? 30);
      if (pod.metadata.deletionTimestamp) await this.forceDelete(pod);
      return;
    }
    const seenAt = known ? 0 : this.o.metrics?.clock() ?? 0;
    let env = this.svcEnv.get(uid);
    if (!env) this.svcEnv.set(uid, (env = await serviceEnvOf(this.o.client, this.services, pod)));
    await this.runtime.syncPod(pod, env, await this.configs.forPod(pod));
    if (!known && this.runtime.podRecord(uid)) this.o.metrics?.podStarted(uid, seenAt);
    const status = this.runtime.podStatus(pod);
    if (status.phase === 'Running' || status.phase === 'Succeeded') this.o.metrics?.podRunning(uid);
    else if (status.phase === 'Failed') this.o.metrics?.forget(uid);
    if (this.runtime.podRecord(uid) && statusChanged(pod.status, status)) {
      const holdMs = pod.metadata.deletionTimestamp ? undefined : this.hold.wait(key, pod, status);
      if (holdMs !== undefined) return { requeueAfterMs: holdMs };
      try {
        this.written.record(await this.o.client.update<Pod>('Pod', { ...pod, status }, { subresource: 'status' }));
      } catch (e) {
        if (isApiError(e, 404)) return;
        throw e;
      }
    }
    if (pod.metadata.deletionTimestamp) {
      await this.runtime.killPod(uid, pod.metadata.deletionGracePeriodSeconds);
      const after = this.runtime.podStatus(pod);
      if (statusChanged(pod.status, after)) {
        await this.o.client.update<Pod>('Pod', { ...pod, status: after }, { subresource: 'status' }).catch((e) => {
          if (!isApiError(e, 404) && !isApiError(e, 409)) throw e;
        });
      }
      await this.forceDelete(pod);
    }
    // Mounted ConfigMaps/Secrets follow updates, and a container waiting on a missing one starts once it exists.
    if (!pod.metadata.deletionTimestamp && this.configs.needsResync(pod)) return { requeueAfterMs: this.configs.refreshMs };
  }

  /** The final delete (grace 0) once the pod's processes are gone; uid precondition guards a successor. */
  private async forceDelete(pod: Pod): Promise<void> {
    try {
      await this.o.client.delete('Pod', pod.metadata.namespace!, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!isApiError(e, 404) && !isApiError(e, 409)) throw e;
    }
  }

  private async serveLogs(req: LogRequest, out: { write(c: Buffer | string): void; signal: AbortSignal }): Promise<void> {
    if (!this.runtime.podRecord(req.uid)) throw new StreamError(404, `pod "${req.name}" is not running on node ${this.o.node.name} (its logs are gone)`);
    const opts: LogOptions = { previous: req.previous, tailLines: req.tailLines, sinceSeconds: req.sinceSeconds, timestamps: req.timestamps, limitBytes: req.limitBytes };
    try {
      if (req.follow) await this.runtime.followLogs(req.uid, req.container, opts, (c) => out.write(c), out.signal);
      else out.write(await this.runtime.readLogs(req.uid, req.container, opts));
    } catch (e) {
      if (e instanceof ApiError) throw new StreamError(e.code, e.message);
      throw e;
    }
  }
}
