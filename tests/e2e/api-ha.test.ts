/**
 * Several api-servers (issue 21 item 3): two api-servers behind HAProxy (scripts/cluster/haproxy.ts:
 * TCP, TLS passed through, `/readyz` checked), the kubeconfig naming HAProxy, the services reaching
 * either one through the NATS queue group. The api-server holding the relay lease is SIGKILLed
 * while a Job runs and writes go on through the load balancer: no acknowledged write may be lost,
 * the Job must end with exactly its completions, kubectl must keep working through HAProxy, and a
 * pod watch through HAProxy (real kubectl streaming `get --raw …?watch=1`, started again from its
 * last resourceVersion whenever the kill cuts it) must see every change once and in order. Two
 * such watches run (HAProxy puts them on different api-servers most times, so the kill cuts one).
 * The recovery times are printed, not asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Job, Node, Pod } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { apiServerUrl, readKubeconfig } from '../../scripts/cluster.js';
import { sleepJob, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

const readyNodes = async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;

beforeAll(async () => {
  e = await startE2E({ apiServers: 2, without: ['memq'] });
  await waitFor('two Ready nodes', async () => (await readyNodes()) === 2, 90_000);
}, 150_000);
afterAll(async () => {
  await e?.stop();
  redis.disconnect();
});

/** One event of a watch: its type and the object's name and resourceVersion. */
interface Seen {
  type: string;
  name: string;
  rv: string;
}

/**
 * `kubectl get --raw <pods watch>` through HAProxy, started again from the last resourceVersion
 * it saw each time its connection ends (a killed api-server cuts it).
 */
function kubectlWatch(fromRv: string): { events: Seen[]; restarts: () => number; errors: string[]; stop(): void } {
  const events: Seen[] = [];
  const errors: string[] = [];
  let last = fromRv;
  let starts = 0;
  let stopped = false;
  let proc: ChildProcess | undefined;
  const start = () => {
    starts++;
    if (starts > 1) events.push({ type: 'RESTART', name: '', rv: last });
    proc = spawn('kubectl', [`--kubeconfig=${e.kubeconfig}`, `--cache-dir=${path.join(e.home, 'kube-cache')}`, 'get', '--raw', `/api/v1/namespaces/default/pods?watch=1&resourceVersion=${last}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as { type: string; object: Pod & { code?: number; message?: string } };
        if (ev.type === 'ERROR') {
          errors.push(ev.object.message ?? JSON.stringify(ev.object));
          continue;
        }
        if (ev.type === 'BOOKMARK') continue;
        events.push({ type: ev.type, name: ev.object.metadata.name!, rv: ev.object.metadata.resourceVersion! });
        last = ev.object.metadata.resourceVersion!;
      }
    });
    // 'close', not 'exit': after the last of its output was read.
    proc.once('close', () => {
      if (!stopped) setTimeout(start, 100);
    });
  };
  start();
  return {
    events, errors, restarts: () => starts - 1,
    stop() {
      stopped = true;
      proc?.kill('SIGKILL');
    },
  };
}

const COMPLETIONS = 16;
const getJob = (name: string) => e.api.get<Job>('Job', 'default', name);

describe('two api-servers behind HAProxy', { timeout: 400_000 }, () => {
  it('the kubeconfig names HAProxy, and each api-server serves kubectl on its own too', async () => {
    expect(e.cluster.loadBalancer).toBeDefined();
    const { clusters } = JSON.parse((await e.kubectl(['config', 'view', '--raw', '-o', 'json'])).stdout) as { clusters: { cluster: { server: string } }[] };
    expect(clusters[0]!.cluster.server).toBe(e.cluster.loadBalancer!.url);
    const apis = e.cluster.specs.filter((s) => s.name.startsWith('api-server'));
    expect(apis).toHaveLength(2);
    for (const s of apis) {
      const r = await e.kubectl([`--server=${apiServerUrl(s)}`, 'get', 'namespaces', '-o', 'name']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('namespace/default');
    }
  });

  it('SIGKILL of the relaying api-server mid-Job: no acknowledged write lost, the Job ends with exactly its completions, kubectl and a watch through HAProxy carry on', async () => {
    const list = JSON.parse((await e.kubectl(['get', 'pods', '-o', 'json'])).stdout) as { metadata: { resourceVersion: string } };
    // Two watches: HAProxy puts their connections on different api-servers (leastconn), so the kill cuts one.
    const watches = [kubectlWatch(list.metadata.resourceVersion), kubectlWatch(list.metadata.resourceVersion)];
    await e.apply(sleepJob('api-ha', { completions: COMPLETIONS, parallelism: 2, sleep: 0.5 }));
    await waitFor('3 succeeded', async () => ((await getJob('api-ha')).status?.succeeded ?? 0) >= 3, 120_000, 100);

    // The api-server publishing watch events to NATS holds the relay lease; its value is host:pid.
    const prefix = e.cluster.specs.find((s) => s.name === 'api-server')!.env.KJOBS_STORE_PREFIX!;
    const holderPid = Number((await redis.get(`{${prefix}}:relay-lease`))?.split(':').pop());
    const [victim, victimProc] = [...e.cluster.procs].find(([n, p]) => n.startsWith('api-server') && p.pid === holderPid)!;

    // Writes through HAProxy before, during and after the kill, by four writers one after another
    // each, every writer on a keep-alive connection of its own (HAProxy spreads the connections
    // over both api-servers, so the kill cuts some writers mid-stream): every write acknowledged
    // must be there afterwards.
    const kc = readKubeconfig(e.home);
    const writers = Array.from({ length: 4 }, () => new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca }));
    const acked: string[] = [];
    let failedWrites = 0;
    let writing = true;
    const writer = Promise.all(writers.map(async (client, w) => {
      for (let i = 0; writing; i++) {
        const name = `ack-${w}-${i}`;
        try {
          await client.create<ConfigMap>('ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { i: String(i) } });
          acked.push(name);
        } catch {
          failedWrites++;
        }
      }
      await client.close();
    }));
    await waitFor('some writes acknowledged', () => acked.length >= 20, 30_000, 20);

    const exited = new Promise<void>((r) => victimProc.once('exit', () => r()));
    victimProc.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    // (A client whose keep-alive connection was on the killed api-server sees that once.)
    const countAtKill = (await waitFor('the Job', () => getJob('api-ha'), 30_000, 50)).status?.succeeded ?? 0;
    // kubectl through HAProxy: until the first success after the kill.
    let kubectlFailures = 0;
    await waitFor('kubectl get through HAProxy', async () => {
      const r = await e.kubectl(['get', 'job', 'api-ha', '-o', 'name'], { timeoutMs: 10_000 });
      if (r.code !== 0) kubectlFailures++;
      return r.code === 0;
    }, 60_000, 50);
    const kubectlMs = Date.now() - killedAt;
    await waitFor('the Job counts on', async () => ((await getJob('api-ha')).status?.succeeded ?? 0) > countAtKill, 60_000, 50);
    const progressMs = Date.now() - killedAt;
    const ackedAtKill = acked.length;
    await waitFor('writes go on after the kill', () => acked.length >= ackedAtKill + 40, 60_000, 20);
    writing = false;
    await writer;
    console.log(`api-ha: ${victim} (relay lease holder) SIGKILLed at succeeded ${countAtKill}: kubectl through HAProxy answered after ${kubectlMs} ms (${kubectlFailures} failed tries), the Job counted on after ${progressMs} ms; ${acked.length} writes acknowledged, ${failedWrites} failed`);

    const done = await waitFor('Complete', async () => {
      const j = await getJob('api-ha');
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    }, 240_000);
    expect(done.status?.succeeded).toBe(COMPLETIONS);
    expect(done.status?.failed ?? 0).toBe(0);
    const pods = (await e.api.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=api-ha' })).items;
    expect(pods).toHaveLength(COMPLETIONS);

    // Every acknowledged write is there.
    const stored = new Set((await e.api.list<ConfigMap>('ConfigMap', { namespace: 'default' })).items.map((c) => c.metadata.name));
    expect(acked.filter((n) => !stored.has(n))).toEqual([]);

    // Each watch saw each change once, in order, and ends where the pods are.
    for (const watch of watches) {
      await waitFor('the watch shows every pod as it is now', () => pods.every((p) => watch.events.findLast((ev) => ev.name === p.metadata.name)?.rv === p.metadata.resourceVersion), 30_000);
      watch.stop();
      const seen = watch.events.filter((ev) => ev.type !== 'RESTART');
      const rvs = seen.map((ev) => BigInt(ev.rv));
      const bad = rvs.flatMap((rv, i) => (i > 0 && rv <= rvs[i - 1]! ? [i] : []));
      expect(bad.map((i) => JSON.stringify(watch.events.slice(Math.max(0, watch.events.indexOf(seen[i]!) - 4), watch.events.indexOf(seen[i]!) + 2)))).toEqual([]);
      expect(watch.errors).toEqual([]);
    }
    console.log(`api-ha: the kubectl watches saw ${watches.map((w) => w.events.length).join(' and ')} events and were started again ${watches.map((w) => w.restarts()).join(' and ')} time(s)`);

    // The killed api-server comes back and serves again.
    await e.cluster.restart(victim);
    const spec = e.cluster.specs.find((s) => s.name === victim)!;
    const r = await e.kubectl([`--server=${apiServerUrl(spec)}`, 'get', 'job', 'api-ha', '-o', 'jsonpath={.status.succeeded}']);
    expect(r.stdout).toBe(String(COMPLETIONS));
  });
});
