import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerStatus, PodStatus, Probe } from '@kjobs/api';
import { groupMembers } from './proc.js';
import { Harness, LOOP, forEachStarter, waitFor } from '../testing/runtime-harness.js';

let h: Harness;
afterEach(async () => {
  const left = await h.cleanup();
  expect(left).toEqual([]);
});

const only = (s: PodStatus): ContainerStatus => {
  const c = s.containerStatuses?.[0];
  if (!c) throw new Error('no container status');
  return c;
};

forEachStarter(() => {
  describe('ProcessRuntime: running pods', () => {
    it('Never: a failing container makes the pod Failed with exit code 3, reason Error, and its log', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hi; exit 3'] }], { restartPolicy: 'Never' });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'Failed', (st) => st.phase === 'Failed');
      expect(only(s).state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
      expect(only(s).containerID).toMatch(/^kjobs:\/\/\d+$/);
      expect(only(s).restartCount).toBe(0);
      expect(s.podIP).toMatch(/^127\./);
      expect(await h.rt.readLogs(pod.metadata.uid ?? '', 'c')).toBe('hi\n');
      expect(h.events.map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);
    });

    it('lifecycle hooks: postStart runs after the start, preStop before SIGTERM, in the pod\'s env and directory', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{
        name: 'c', image: 'busybox',
        command: ['sh', '-c', 'trap "echo term >> $HOME/order; exit 0" TERM; while :; do sleep 0.05; done'],
        lifecycle: {
          postStart: { exec: { command: ['sh', '-c', 'echo poststart >> $HOME/order'] } },
          preStop: { exec: { command: ['sh', '-c', 'echo prestop >> $HOME/order'] } },
        },
      }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 10 });
      await h.rt.syncPod(pod, {});
      const order = join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'order');
      await waitFor('postStart ran', () => existsSync(order));
      await h.rt.killPod(pod.metadata.uid ?? '', 10);
      expect(readFileSync(order, 'utf8')).toBe('poststart\nprestop\nterm\n');
    });

    it('OnFailure: restarts with doubling crash-loop backoff (CrashLoopBackOff) until it succeeds', async () => {
      h = await Harness.create({ backoff: { initialMs: 100, maxMs: 10_000 } });
      // Fails on runs 1-3, succeeds on run 4 (a counter in the pod directory).
      const script = 'n=$(cat "$HOME/n" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$HOME/n"; echo "run $n"; [ "$n" -ge 4 ] && exit 0; exit 1';
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }], { restartPolicy: 'OnFailure' });
      const waiting = new Set<string>();
      const runs = new Map<number, { startedAt?: string; finishedAt?: string }>();
      h.rt.onChange(() => {
        const c = only(h.rt.podStatus(pod));
        if (c.state.waiting?.reason === 'CrashLoopBackOff') waiting.add(c.state.waiting.message ?? '');
        const rec = h.rt.podRecord(pod.metadata.uid ?? '')?.containers.c;
        for (const inst of [rec?.previous, rec?.current]) if (inst) runs.set(inst.attempt, { startedAt: inst.startedAt, ...(inst.finishedAt ? { finishedAt: inst.finishedAt } : {}) });
      });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded');
      expect(only(s).restartCount).toBe(3);
      expect(only(s).state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
      expect(only(s).lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
      const gap = (n: number) => Date.parse(runs.get(n)?.startedAt ?? '') - Date.parse(runs.get(n - 1)?.finishedAt ?? '');
      // First restart at once, then after the window: 100 ms, then 200 ms.
      expect(gap(2)).toBeGreaterThanOrEqual(100);
      expect(gap(3)).toBeGreaterThanOrEqual(200);
      const name = `p_default(${pod.metadata.uid})`;
      expect(waiting).toContain(`back-off 100ms restarting failed container=c pod=${name}`);
      expect(waiting).toContain(`back-off 200ms restarting failed container=c pod=${name}`);
      expect(h.events.filter((e) => e.reason === 'BackOff').map((e) => e.message)).toContain(`Back-off restarting failed container c in pod ${name}`);
      expect(await h.rt.readLogs(pod.metadata.uid ?? '', 'c')).toBe('run 4\n');
      expect(await h.rt.readLogs(pod.metadata.uid ?? '', 'c', { previous: true })).toBe('run 3\n');
    });

    it('Always: restarts even after success and stays Running', async () => {
      h = await Harness.create({ backoff: { initialMs: 50, maxMs: 100 } });
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 0'] }], { restartPolicy: 'Always' });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'two restarts', (st) => only(st).restartCount >= 2);
      expect(s.phase).toBe('Running');
      expect(only(s).lastState.terminated?.exitCode).toBe(0);
    });

    it('runs init containers first, one at a time, then the containers', async () => {
      h = await Harness.create();
      const step = (n: string) => ({ name: n, image: 'busybox', command: ['sh', '-c', `echo ${n} >> "$HOME/order"`] });
      const pod = h.pod('p', [step('main')], { restartPolicy: 'Never', initContainers: [step('init1'), step('init2')] });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded');
      expect(s.initContainerStatuses?.map((c) => [c.name, c.state.terminated?.reason, c.ready])).toEqual([
        ['init1', 'Completed', true],
        ['init2', 'Completed', true],
      ]);
      expect(s.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
      const { readFile } = await import('node:fs/promises');
      expect(await readFile(join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'order'), 'utf8')).toBe('init1\ninit2\nmain\n');
    });

    it('an image neither in the catalog nor with a command waits in CreateContainerConfigError with a Warning event', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'my-batch-image' }], { restartPolicy: 'OnFailure' });
      await h.rt.syncPod(pod, {});
      const s = h.rt.podStatus(pod);
      expect(s.phase).toBe('Pending');
      expect(only(s).state.waiting?.reason).toBe('CreateContainerConfigError');
      expect(only(s).state.waiting?.message).toContain('not in the kjobs image catalog');
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'Failed', fieldPath: 'spec.containers{c}' }));
    });

    it('a program that does not exist ends as StartError with exit code 128', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['kjobs-no-such-program-xyz'] }], { restartPolicy: 'Never' });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'Failed', (st) => st.phase === 'Failed');
      expect(only(s).state.terminated).toMatchObject({ exitCode: 128, reason: 'StartError', message: 'exec: "kjobs-no-such-program-xyz": executable file not found in $PATH' });
    });

    it('maps the kuard image to the catalog program, /kuard standing for the entrypoint', async () => {
      h = await Harness.create({ kuardProgram: { command: '/bin/sh', args: ['-c', 'echo kuard "$@"', 'kuard'] } });
      const pod = h.pod('p', [{ name: 'kuard', image: 'gcr.io/kuar-demo/kuard-amd64:blue', command: ['/kuard'], args: ['--keygen-enable', '--keygen-num-to-gen=$(N)'], env: [{ name: 'N', value: '3' }] }], { restartPolicy: 'Never' });
      await h.rt.syncPod(pod, {});
      await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded');
      expect(await h.rt.readLogs(pod.metadata.uid ?? '', 'kuard')).toBe('kuard --keygen-enable --keygen-num-to-gen=3\n');
    });

    it('gives the container only the Kubernetes environment', async () => {
      h = await Harness.create();
      process.env.KJOBS_AGENT_SECRET_FOR_TEST = 'do-not-leak';
      try {
        const pod = h.pod(
          'indexed-3-abc',
          [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'env | sort > "$HOME/env.txt"'], env: [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }] }],
          { restartPolicy: 'Never', hostname: 'indexed-3' },
          { annotations: { 'batch.kubernetes.io/job-completion-index': '3' } },
        );
        await h.rt.syncPod(pod, { QUEUE_SERVICE_HOST: '127.1.0.9', QUEUE_SERVICE_PORT: '8080' });
        const s = await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded');
        const { readFile } = await import('node:fs/promises');
        const env = Object.fromEntries(
          (await readFile(join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'env.txt'), 'utf8'))
            .trim()
            .split('\n')
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        expect(env).toMatchObject({ JOB_COMPLETION_INDEX: '3', HOSTNAME: 'indexed-3', POD_NAME: 'indexed-3-abc', POD_NAMESPACE: 'default', POD_IP: s.podIP, QUEUE_SERVICE_HOST: '127.1.0.9', HOME: join(h.rootDir, 'pods', pod.metadata.uid ?? '') });
        expect(env.KJOBS_AGENT_SECRET_FOR_TEST).toBeUndefined();
        expect(env.REDIS_URL).toBeUndefined();
        expect(env.NATS_URL).toBeUndefined();
      } finally {
        delete process.env.KJOBS_AGENT_SECRET_FOR_TEST;
      }
    });
  });

  describe('ProcessRuntime: change notifications', () => {
    it('a syncPod that changes nothing announces nothing, so an agent answering onChange with syncPod settles', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', LOOP] }]);
      let changes = 0;
      let syncs = 0;
      // The agent's shape: every change is answered by a sync of the (re-read) pod.
      h.rt.onChange(() => {
        changes += 1;
        syncs += 1;
        void h.rt.syncPod({ ...pod, metadata: { ...pod.metadata, resourceVersion: String(syncs) } }, {});
      });
      await h.rt.syncPod(pod, {});
      await h.waitStatus(pod, 'Running', (st) => st.phase === 'Running');
      await waitFor('syncs to settle', async () => {
        const before = syncs;
        await new Promise((r) => setTimeout(r, 300));
        return syncs === before;
      });
      const settled = changes;
      for (let i = 0; i < 5; i++) await h.rt.syncPod(pod, {});
      expect(changes).toBe(settled);
      expect(settled).toBeLessThan(5);
    });
  });

  describe('ProcessRuntime: stopping pods', () => {
    it('killPod delivers SIGTERM first, then nothing of the process group is left', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', `trap 'touch "$HOME/got-term"; exit 0' TERM; touch "$HOME/armed"; ${LOOP}`] }], { restartPolicy: 'Always' });
      await h.rt.syncPod(pod, {});
      // Like any program, it can only react to SIGTERM once its handler is installed.
      await waitFor('trap installed', () => existsSync(join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'armed')));
      const pgid = h.rt.podRecord(pod.metadata.uid ?? '')?.containers.c?.current?.pgid ?? 0;
      expect(groupMembers(pgid).length).toBeGreaterThan(0);
      await h.rt.killPod(pod.metadata.uid ?? '', 10);
      expect(existsSync(join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'got-term'))).toBe(true);
      expect(groupMembers(pgid)).toEqual([]);
      const s = h.rt.podStatus(pod);
      expect(only(s).state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
      expect(s.phase).toBe('Succeeded');
      expect(h.events.map((e) => e.reason)).toContain('Killing');
    });

    it('SIGKILLs a program that ignores SIGTERM once the grace period (at least 2 s) is over', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', `trap '' TERM; touch "$HOME/armed"; ${LOOP}`] }], { restartPolicy: 'Never' });
      await h.rt.syncPod(pod, {});
      await waitFor('SIGTERM ignored', () => existsSync(join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'armed')));
      const pgid = h.rt.podRecord(pod.metadata.uid ?? '')?.containers.c?.current?.pgid ?? 0;
      const t0 = Date.now();
      await h.rt.killPod(pod.metadata.uid ?? '', 1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
      expect(groupMembers(pgid)).toEqual([]);
      const s = h.rt.podStatus(pod);
      expect(only(s).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
      expect(s.phase).toBe('Failed');
    });

    it('activeDeadlineSeconds: kills the pod and fails it with DeadlineExceeded', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', LOOP] }], { restartPolicy: 'OnFailure', activeDeadlineSeconds: 1 });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'Failed', (st) => st.phase === 'Failed');
      expect(s.reason).toBe('DeadlineExceeded');
      expect(s.message).toBe('Pod was active on the node longer than the specified deadline');
      expect(only(s).state.terminated?.exitCode).toBe(143);
      const pgid = h.rt.podRecord(pod.metadata.uid ?? '')?.containers.c?.current?.pgid ?? 0;
      await waitFor('group gone', () => groupMembers(pgid).length === 0);
      expect(h.events).toContainEqual(expect.objectContaining({ reason: 'DeadlineExceeded', type: 'Normal' }));
    });

    it('killPod right after start (before any handler exists) still leaves nothing behind', async () => {
      h = await Harness.create();
      const pods = Array.from({ length: 5 }, (_, i) => h.pod(`p${i}`, [{ name: 'c', image: 'busybox', command: ['sh', '-c', `sleep 30 & ${LOOP}`] }]));
      for (const p of pods) await h.rt.syncPod(p, {});
      await Promise.all(pods.map((p) => h.rt.killPod(p.metadata.uid ?? '', 3)));
      expect(h.pgids.size).toBe(5);
      expect(h.livePgids()).toEqual([]);
      for (const p of pods) expect(h.rt.podStatus(p).containerStatuses?.[0]?.state.terminated).toBeDefined();
    });

    it('a finished pod gives its IP back (the status keeps it): a range of 6 runs 8 pods, also after a restart', async () => {
      // 127.x.y.0/29: .0 and .1 are never handed out (isReservedAddress), .2–.7 are 6.
      const range = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/29`;
      h = await Harness.create({ podIPRange: range });
      const run = async (rt: typeof h.rt, name: string) => {
        const pod = h.pod(name, [{ name: 'c', image: 'busybox', command: ['true'] }], { restartPolicy: 'Never' });
        await rt.syncPod(pod, {});
        await waitFor(`${name} Succeeded`, () => rt.podStatus(pod).phase === 'Succeeded');
        const ip = rt.podStatus(pod).podIP;
        expect(ip, `${name}'s podIP`).toMatch(/^127\.\d+\.\d+\.[2-7]$/);
        return ip;
      };
      const ips = [];
      for (let i = 0; i < 8; i++) ips.push(await run(h.rt, `p${i}`));
      expect(new Set(ips).size).toBe(6);
      // A restarted agent recovers the finished pods without taking their addresses again.
      await h.rt.close();
      h.rt = h.newRuntime();
      expect((await h.rt.recover()).length).toBe(8);
      for (let i = 8; i < 10; i++) await run(h.rt, `p${i}`);
      expect(h.events.filter((e) => e.reason === 'FailedCreatePodSandBox')).toEqual([]);
    });

    it('removePod deletes the pod directory and its logs and forgets the pod', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', `echo hello; ${LOOP}`] }]);
      const other = h.pod('q', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo other'] }], { restartPolicy: 'Never' });
      await h.rt.syncPod(pod, {});
      await h.rt.syncPod(other, {});
      const dir = join(h.rootDir, 'pods', pod.metadata.uid ?? '');
      expect(existsSync(dir)).toBe(true);
      const logsOf = (uid: string) => readdirSync(join(h.rootDir, 'logs')).filter((f) => f.startsWith(`${uid}.`));
      await waitFor('both logs written', async () => (await h.rt.readLogs(pod.metadata.uid ?? '', 'c').catch(() => '')) === 'hello\n' && (await h.rt.readLogs(other.metadata.uid ?? '', 'c').catch(() => '')) === 'other\n');
      expect(logsOf(pod.metadata.uid ?? '')).toContain(`${pod.metadata.uid}.c.0.log`);
      await h.rt.removePod(pod.metadata.uid ?? '');
      expect(existsSync(dir)).toBe(false);
      expect(logsOf(pod.metadata.uid ?? '')).toEqual([]);
      // The other pod's log stays until its own removal.
      expect(logsOf(other.metadata.uid ?? '')).toContain(`${other.metadata.uid}.c.0.log`);
      await h.rt.removePod(other.metadata.uid ?? '');
      expect(h.rt.knownPods()).toEqual([]);
      expect(h.livePgids()).toEqual([]);
      // A stale informer event for the removed pod must not run it again.
      await h.rt.syncPod(pod, {});
      expect(h.rt.knownPods()).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    });

    it('a pod with a deletionTimestamp is killed by syncPod itself', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', LOOP] }]);
      await h.rt.syncPod(pod, {});
      await h.waitStatus(pod, 'Running', (st) => st.phase === 'Running');
      await h.rt.syncPod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5 } }, {});
      await h.waitStatus(pod, 'terminated', (st) => only(st).state.terminated !== undefined);
      await waitFor('no process left', () => h.livePgids().length === 0);
    });
  });

  describe('ProcessRuntime: probes', () => {
    it('a failing exec liveness probe kills and restarts the container', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', LOOP], livenessProbe: { exec: { command: ['sh', '-c', 'echo sick; exit 1'] }, periodSeconds: 1, failureThreshold: 2 } }], {
        restartPolicy: 'OnFailure',
        terminationGracePeriodSeconds: 5,
      });
      await h.rt.syncPod(pod, {});
      const s = await h.waitStatus(pod, 'a restart', (st) => only(st).restartCount >= 1 && only(st).state.running !== undefined);
      expect(only(s).lastState.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: sick' }));
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'Normal', reason: 'Killing', message: 'Container c failed liveness probe, will be restarted' }));
    });

    it('a readiness probe drives ready and the Ready condition both ways', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', LOOP], readinessProbe: { exec: { command: ['sh', '-c', 'test -f "$HOME/ready"'] }, periodSeconds: 1, failureThreshold: 1 } }]);
      await h.rt.syncPod(pod, {});
      const ready = (st: PodStatus) => st.conditions?.find((c) => c.type === 'Ready')?.status;
      let s = await h.waitStatus(pod, 'Running', (st) => st.phase === 'Running');
      expect(only(s).ready).toBe(false);
      expect(ready(s)).toBe('False');
      const flag = join(h.rootDir, 'pods', pod.metadata.uid ?? '', 'ready');
      await writeFile(flag, '');
      s = await h.waitStatus(pod, 'ready', (st) => only(st).ready);
      expect(ready(s)).toBe('True');
      await rm(flag);
      s = await h.waitStatus(pod, 'not ready', (st) => !only(st).ready);
      expect(ready(s)).toBe('False');
      expect(only(s).restartCount).toBe(0);
    });

    it('httpGet and tcpSocket probes reach each pod on its own IP; two pods both serve :8080', async () => {
      h = await Harness.create();
      const server = "require('http').createServer((q,r)=>{r.statusCode=q.url==='/ready'?200:404;r.end()}).listen(8080,process.env.POD_IP)";
      const web = (readinessProbe: Probe) => ({
        name: 'web',
        image: 'node',
        command: [process.execPath, '-e', server],
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe,
        // Default failureThreshold (3) leaves node time to start listening.
        livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      });
      const a = h.pod('a', [web({ httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 })]);
      const b = h.pod('b', [web({ tcpSocket: { port: 'http' }, periodSeconds: 1 })]);
      const c = h.pod('c', [web({ httpGet: { path: '/missing', port: 8080 }, periodSeconds: 1, failureThreshold: 1 })]);
      await Promise.all([h.rt.syncPod(a, {}), h.rt.syncPod(b, {}), h.rt.syncPod(c, {})]);
      const sa = await h.waitStatus(a, 'a ready (httpGet)', (st) => only(st).ready);
      const sb = await h.waitStatus(b, 'b ready (tcpSocket)', (st) => only(st).ready);
      expect(new Set([sa.podIP, sb.podIP]).size).toBe(2);
      await waitFor('a 404 readiness failure on c', () => h.events.find((e) => e.podName === 'c' && e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 404'));
      expect(only(h.rt.podStatus(c)).ready).toBe(false);
      expect(h.events.filter((e) => e.reason === 'Killing')).toEqual([]);
    });
  });
});
