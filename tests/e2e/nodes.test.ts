/**
 * Nodes that run pods: the kubelet-agents and the scheduler with every service as a process.
 * Short node grace periods (3 s + 1 s, with a 1 s heartbeat) keep the node-loss case quick.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Event, type Node, type Pod, type WatchEvent } from '@kjobs/api';
import { addressFileOf, ensureTokens, spawnService } from '../../scripts/cluster.js';
import { startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E({
    without: ['memq'],
    // An unschedulable pod is retried only when something changes (no periodic retry within a test).
    env: { KJOBS_HEARTBEAT_SECONDS: '1', KJOBS_NODE_GRACE_SECONDS: '3', KJOBS_POD_EVICTION_SECONDS: '1', KJOBS_CRASHLOOP_INITIAL_MS: '1000', KJOBS_CRASHLOOP_MAX_MS: '8000', KJOBS_SCHEDULER_RETRY_MS: '600000' },
    // A long status hold makes the quick-pod case below certain even on a loaded machine.
    nodeEnv: () => ({ KJOBS_NODE_CPU: '2', KJOBS_NODE_MEMORY: '4Gi', KJOBS_STATUS_HOLD_MS: '1500' }),
  });
  await waitFor('two Ready nodes', async () => (await e.api.list<Node>('Node')).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2);
}, 120_000);
afterAll(async () => {
  await e?.stop();
});

function pod(name: string, script: string, extra: Partial<Pod['spec']> = {}, c: Partial<Pod['spec']['containers'][0]> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    // `sh -c` ignores SIGTERM while it waits for a child, as PID 1 in a container would: a short
    // grace period keeps kills (liveness, node loss) quick, exactly as in Kubernetes.
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], ...c }], restartPolicy: 'Never', terminationGracePeriodSeconds: 2, ...extra },
  };
}
const getPod = (name: string) => e.api.get<Pod>('Pod', 'default', name);
const gone = (name: string) => e.isGone('Pod', name);
/** Pids of processes whose environment names this pod (every container process gets POD_NAME). */
function processesOf(podName: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      if (env.includes(`POD_NAME=${podName}`)) out.push(Number(d));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

describe('pods on nodes', { timeout: 120_000 }, () => {
  it('restartPolicy Never: exit 3 ends Failed with reason Error, and the log says hi', async () => {
    await e.api.create('Pod', pod('exit3', 'echo hi; exit 3'));
    const p = await waitFor('Failed', async () => {
      const x = await getPod('exit3');
      return x.status?.phase === 'Failed' ? x : undefined;
    });
    const t = p.status?.containerStatuses?.[0]?.state.terminated;
    expect(t?.exitCode).toBe(3);
    expect(t?.reason).toBe('Error');
    expect(p.spec.nodeName).toMatch(/^node-[12]$/);
    expect(p.status?.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(await e.api.logs('default', 'exit3')).toBe('hi\n');
  });

  it('a pod that ends within the status hold goes from Pending to Succeeded in one write; a longer one shows Running', async () => {
    const phases = new Map<string, string[]>();
    const w = e.api.watch<Pod>('Pod', { namespace: 'default', resourceVersion: '0' }, (ev: WatchEvent<Pod>) => {
      const p = ev.object;
      if (!['quick', 'steady'].includes(p.metadata.name!) || ev.type === 'DELETED') return;
      const seen = phases.get(p.metadata.name!) ?? [];
      const phase = p.status?.phase ?? '';
      if (seen[seen.length - 1] !== phase) seen.push(phase);
      phases.set(p.metadata.name!, seen);
    });
    try {
      await e.api.create('Pod', pod('quick', 'exit 0'));
      await e.api.create('Pod', pod('steady', 'sleep 600'));
      await waitFor('quick Succeeded, steady Running', () => phases.get('quick')?.at(-1) === 'Succeeded' && phases.get('steady')?.at(-1) === 'Running');
      expect(phases.get('quick')).toEqual(['Pending', 'Succeeded']);
      expect(phases.get('steady')).toEqual(['Pending', 'Running']);
      const quick = await getPod('quick');
      const t = quick.status?.containerStatuses?.[0]?.state.terminated;
      expect(t?.reason).toBe('Completed');
      expect(t?.startedAt).toBeTruthy();
    } finally {
      w.stop();
      await e.api.delete('Pod', 'default', 'quick').catch(() => undefined);
      await e.api.delete('Pod', 'default', 'steady').catch(() => undefined);
    }
  });

  it('restartPolicy OnFailure: restarts with CrashLoopBackOff and a rising restartCount', async () => {
    await e.api.create('Pod', pod('crashy', 'echo run; exit 1', { restartPolicy: 'OnFailure' }));
    const reasons = new Set<string>();
    const p = await waitFor('restartCount ≥ 3', async () => {
      const x = await getPod('crashy');
      const cs = x.status?.containerStatuses?.[0];
      if (cs?.state.waiting?.reason) reasons.add(cs.state.waiting.reason);
      return (cs?.restartCount ?? 0) >= 3 ? x : undefined;
    }, 60_000, 100);
    expect(reasons.has('CrashLoopBackOff')).toBe(true);
    expect(p.status?.containerStatuses?.[0]?.lastState.terminated?.exitCode).toBe(1);
    await e.api.delete('Pod', 'default', 'crashy', { gracePeriodSeconds: 0 });
  });

  it('a failing liveness probe restarts the container; a failing readiness probe clears Ready', async () => {
    const ready = path.join(e.home, 'probed-ready');
    const dead = path.join(e.home, 'probed-dead');
    await e.api.create('Pod', pod('probed', `touch ${ready}; sleep 2; rm ${ready}; sleep 600`, { restartPolicy: 'Always' }, {
      livenessProbe: { exec: { command: ['sh', '-c', `test ! -f ${dead}`] }, periodSeconds: 1, failureThreshold: 1 },
      readinessProbe: { exec: { command: ['sh', '-c', `test -f ${ready}`] }, periodSeconds: 1 },
    }));
    await waitFor('Ready', async () => (await getPod('probed')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    await waitFor('not Ready after the readiness file is gone', async () => (await getPod('probed')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False');
    // Make liveness fail.
    writeFileSync(dead, '');
    await waitFor('restarted by liveness', async () => ((await getPod('probed')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000);
    const events = (await e.api.list<Event>('Event', { namespace: 'default', fieldSelector: `involvedObject.name=probed` })).items;
    expect(events.map((x) => x.reason)).toEqual(expect.arrayContaining(['Unhealthy', 'Killing']));
    await e.api.delete('Pod', 'default', 'probed', { gracePeriodSeconds: 0 });
  });

  it('kubectl logs -f of a pod being deleted goes on to its last line (the log is unlinked right after)', async () => {
    await e.api.create('Pod', pod('follow', 'trap "echo term; sleep 1; echo bye; exit 0" TERM; echo up; while :; do sleep 0.1; done', { terminationGracePeriodSeconds: 10 }));
    await waitFor('up', async () => (await e.kubectl(['logs', 'follow'])).stdout.includes('up'));
    const follow = spawn('kubectl', ['--kubeconfig', e.kubeconfig, '--cache-dir', path.join(e.home, 'kube-cache'), 'logs', '-f', 'follow'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    const closed = new Promise((r) => follow.once('close', r));
    // Delete once the follow is streaming (its first line came through).
    await waitFor('the follow streams', () => out.includes('up'));
    await e.kubectl(['delete', 'pod', 'follow', '--wait=false']);
    await closed;
    expect(out).toBe('up\nterm\nbye\n');
  });

  it('deleting a running pod delivers SIGTERM, then the pod disappears', async () => {
    // The pod directory goes away with the pod, so the trap writes its marker outside it.
    const marker = path.join(e.home, 'got-term');
    await e.api.create('Pod', pod('termed', `trap "touch ${marker}; exit 0" TERM; while true; do sleep 0.1; done`));
    await waitFor('Running', async () => (await getPod('termed')).status?.phase === 'Running');
    await e.api.delete('Pod', 'default', 'termed');
    await waitFor('SIGTERM trap ran', () => existsSync(marker), 30_000);
    await waitFor('pod gone', () => gone('termed'), 30_000);
    expect(processesOf('termed')).toEqual([]);
  });

  it('a pod that finishes frees its CPU: a pod waiting for it is scheduled then, and a deleted one frees it too', async () => {
    const onNode1 = { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } };
    const needs = { resources: { requests: { cpu: '1500m' } } };
    await e.api.create('Pod', pod('hog', 'while [ ! -f "$HOME/done" ]; do sleep 0.1; done', onNode1, needs));
    await waitFor('hog running', async () => (await getPod('hog')).status?.phase === 'Running');
    await e.api.create('Pod', pod('waiter', 'while [ ! -f "$HOME/done" ]; do sleep 0.1; done', onNode1, needs));
    const ev = await waitFor('FailedScheduling', async () => (await e.api.list<Event>('Event', { namespace: 'default', fieldSelector: 'involvedObject.name=waiter,reason=FailedScheduling' })).items[0]);
    expect(ev.message).toMatch(/^0\/\d nodes are available: 1 Insufficient cpu, \d node\(s\) didn't match Pod's node affinity\/selector\.$/);
    // hog ends: its 1.5 CPUs are free at once (the scheduler's periodic retry is 10 min here).
    const hog = await getPod('hog');
    writeFileSync(path.join(e.home, 'nodes', 'node-1', 'pods', hog.metadata.uid!, 'done'), '');
    const placed = await waitFor('waiter scheduled', async () => {
      const w = await getPod('waiter');
      return w.spec.nodeName ? w : undefined;
    });
    expect(placed.spec.nodeName).toBe('node-1');
    await waitFor('waiter running', async () => (await getPod('waiter')).status?.phase === 'Running');
    // A third one waits for waiter, which is deleted instead of finishing.
    await e.api.create('Pod', pod('third', 'true', onNode1, needs));
    await waitFor('third unschedulable', async () => (await getPod('third')).status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'));
    await e.api.delete('Pod', 'default', 'waiter', { gracePeriodSeconds: 0 });
    await waitFor('third Succeeded on node-1', async () => {
      const t = await getPod('third');
      return t.spec.nodeName === 'node-1' && t.status?.phase === 'Succeeded';
    });
    for (const n of ['hog', 'third']) await e.api.delete('Pod', 'default', n, { gracePeriodSeconds: 0 });
  });

  it('too much CPU: Pending with FailedScheduling, scheduled once a larger node registers', async () => {
    await e.api.create('Pod', pod('big', 'sleep 1', {}, { resources: { requests: { cpu: '16' } } }));
    const ev = await waitFor('FailedScheduling', async () => (await e.api.list<Event>('Event', { namespace: 'default', fieldSelector: 'involvedObject.name=big,reason=FailedScheduling' })).items[0]);
    expect(ev.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    const p = await getPod('big');
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    const tokens = ensureTokens(e.home, ['node-big']);
    const api = e.cluster.specs.find((s) => s.name === 'kubelet-agent-node-1')!;
    const big = spawnService({ name: 'kubelet-agent-node-big', entry: api.entry, env: { ...api.env, KJOBS_ADDR_FILE: addressFileOf(e.home, 'kubelet-agent-node-big'), NODE_NAME: 'node-big', KJOBS_TOKEN: tokens.get('system:node:node-big')!, KJOBS_NODE_CPU: '32', KJOBS_POD_IP_RANGE: '127.30.0.0/16', KJOBS_AGENT_DIR: path.join(e.home, 'nodes', 'node-big') } }, e.home);
    e.cluster.procs.set('kubelet-agent-node-big', big);
    const placed = await waitFor('scheduled on node-big', async () => {
      const x = await getPod('big');
      return x.spec.nodeName ? x : undefined;
    }, 60_000);
    expect(placed.spec.nodeName).toBe('node-big');
    await waitFor('Succeeded', async () => (await getPod('big')).status?.phase === 'Succeeded', 30_000);
    // node-big goes again: with 32 CPUs it would draw the next test's pods away from node-1 and node-2.
    const exited = new Promise((r) => big.once('exit', r));
    big.kill('SIGTERM');
    await exited;
    e.cluster.procs.delete('kubelet-agent-node-big');
    await e.api.delete('Pod', 'default', 'big', { gracePeriodSeconds: 0 });
    await e.api.delete('Node', '', 'node-big');
    await waitFor('node-big gone', async () => !(await e.api.list<Node>('Node')).items.some((n) => n.metadata.name === 'node-big'), 60_000);
  });

  it('spreads pods over both nodes; a killed agent’s node goes NotReady and its pods fail; a restarted agent leaves no orphan', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `spread-${i}`);
    for (const n of names) await e.api.create('Pod', pod(n, 'sleep 600', { nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [] }, { resources: { requests: { cpu: '100m' } } }));
    const placed = await waitFor('all running', async () => {
      const ps = await Promise.all(names.map(getPod));
      return ps.every((p) => p.status?.phase === 'Running') ? ps : undefined;
    });
    const nodes = new Set(placed.map((p) => p.spec.nodeName));
    expect(nodes.has('node-1') && nodes.has('node-2')).toBe(true);
    const onNode1 = placed.filter((p) => p.spec.nodeName === 'node-1').map((p) => p.metadata.name!);
    // Lose node-1: SIGKILL its agent (its pods keep running as processes, as on a real lost node).
    const agent = e.cluster.procs.get('kubelet-agent-node-1')!;
    agent.kill('SIGKILL');
    await waitFor('node-1 NotReady', async () => (await e.api.get<Node>('Node', '', 'node-1')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown', 90_000);
    const failed = await waitFor('node-1 pods Failed', async () => {
      const ps = await Promise.all(onNode1.map(getPod));
      return ps.every((p) => p.status?.phase === 'Failed') ? ps : undefined;
    }, 90_000);
    expect(failed[0]!.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.status).toBe('True');
    // Bring the agent back: it ends the processes of pods that are no longer its to run.
    await e.cluster.restart('kubelet-agent-node-1', 'SIGKILL');
    await waitFor('node-1 Ready again', async () => (await e.api.get<Node>('Node', '', 'node-1')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 90_000);
    await waitFor('no process left of the failed pods', () => onNode1.every((n) => processesOf(n).length === 0), 90_000);
    for (const n of names) await e.api.delete('Pod', 'default', n, { gracePeriodSeconds: 0 });
    await waitFor('all spread pods gone', async () => (await Promise.all(names.map(gone))).every(Boolean), 90_000);
    // A forced delete does not wait for the agent: it ends the processes once it sees the delete.
    await waitFor('no process left of any spread pod', () => names.every((n) => processesOf(n).length === 0), 60_000);
    // Generous waits: a restarted agent compiles its TypeScript again, slow on a loaded 2-core machine.
  }, 300_000);
});
