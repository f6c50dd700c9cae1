import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Container, ContainerStatus, PodStatus } from '@kjobs/api';
import { type Harness, waitFor } from '../../testing/runtime-harness.js';
import { cgroupMode, cpuUsageNs } from './cgroups.js';
import type { OciEngine } from './oci-engine.js';
import { ociTestBed } from '../../testing/oci-image.js';

/**
 * The OCI engine under the real pod worker, with runc: namespaces, the image's root, limits,
 * OOMKilled, probes inside the container, kills, recovery, and nothing left behind.
 */

let h: Harness;
let engine: OciEngine;
const bed = ociTestBed('kjobs-oci-');

async function create(over: { podPidsLimit?: number } = {}): Promise<void> {
  ({ h, engine } = await bed.node(over));
}


afterEach(async () => {
  const left = await h.cleanup();
  await engine.shutdown();
  expect(left).toEqual([]);
  // Nothing of the node is left: no container, cgroup, mount or state.
  // (`runc list` would make its state directory again: look at the directory instead.)
  expect(existsSync(engine.layout.stateDir) ? engine.layout.stateDir : '').toBe('');
  const cg = cgroupMode() === 'v2' ? `/sys/fs/cgroup${engine.layout.nodeCgroup}` : `/sys/fs/cgroup/memory${engine.layout.nodeCgroup}`;
  expect(existsSync(cg) ? cg : '').toBe('');
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(h.rootDir);
});

const only = (s: PodStatus): ContainerStatus => {
  const c = s.containerStatuses?.[0];
  if (!c) throw new Error('no container status');
  return c;
};
const bb = (over: Partial<Container>): Container => ({ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', ...over });

describe('OciEngine', () => {
  it('runs the image in its own PID namespace and root: `echo $$; ls /` prints 1 and the image root; exit 3 fails the pod', async () => {
    await create();
    // `$$$$`: Kubernetes reduces `$$` to `$` in command and args (the $(VAR) escape), so the shell sees `$$`.
    const pod = h.pod('p', [bb({ command: ['sh', '-c', 'echo $$$$; ls /; hostname; exit 3'] })], { restartPolicy: 'Never' });
    await h.rt.syncPod(pod, {});
    const s = await h.waitStatus(pod, 'Failed', (st) => st.phase === 'Failed');
    expect(only(s).state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(only(s).containerID).toMatch(/^runc:\/\/[0-9a-f]{64}$/);
    const log = await h.rt.readLogs(pod.metadata.uid!, 'c');
    const lines = log.trim().split('\n');
    expect(lines[0]).toBe('1');
    expect(lines).toEqual(expect.arrayContaining(['bin', 'etc', 'proc', 'tmp']));
    expect(lines).not.toContain('work');
    expect(lines.at(-1)).toBe('p');
    expect(h.events.map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);
    expect(h.events[0]!.message).toBe('Container image "busybox" already present on machine');
  });

  it('limits.memory: a container allocating past 32Mi ends OOMKilled with exit code 137 (read from the cgroup)', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['sh', '-c', 'exec dd if=/dev/zero of=/dev/null bs=100M count=1'], resources: { limits: { memory: '32Mi' } } })], { restartPolicy: 'Never' });
    await h.rt.syncPod(pod, {});
    const s = await h.waitStatus(pod, 'Failed', (st) => st.phase === 'Failed');
    expect(only(s).state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('a container killed by SIGKILL without an OOM is Error 137, not OOMKilled', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['sh', '-c', 'kill -9 $$'] })], { restartPolicy: 'Never' });
    await h.rt.syncPod(pod, {});
    const s = await h.waitStatus(pod, 'Failed', (st) => st.phase === 'Failed');
    // PID 1 cannot be killed from inside its namespace: the shell ends by itself (exit 0 or 137 depending on busybox), never as OOMKilled.
    expect(only(s).state.terminated?.reason).not.toBe('OOMKilled');
  });

  it('limits.cpu: 100m holds a busy loop to about a tenth of a CPU (cgroup usage)', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['sh', '-c', 'while :; do :; done'], resources: { limits: { cpu: '100m' } } })], { restartPolicy: 'Never' });
    await h.rt.syncPod(pod, {});
    await h.waitStatus(pod, 'Running', (st) => st.phase === 'Running');
    const id = only(h.rt.podStatus(pod)).containerID!.slice('runc://'.length);
    const cg = engine.layout.containerCgroup(pod.metadata.uid!, id);
    const u0 = await waitFor('cpu usage', () => cpuUsageNs(cg));
    const t0 = process.hrtime.bigint();
    await waitFor('2 s of wall time', () => process.hrtime.bigint() - t0 > 2_000_000_000n, 10_000);
    const used = (cpuUsageNs(cg) ?? 0) - u0;
    const wall = Number(process.hrtime.bigint() - t0);
    expect(used / wall).toBeGreaterThan(0.02);
    expect(used / wall).toBeLessThan(0.16);
  });

  it('exec probes run inside the container; the image user and the pod files are there', async () => {
    await create();
    const pod = h.pod('p', [bb({
      command: ['sh', '-c', 'id -u > /tmp/uid; touch /tmp/ready; sleep 300'],
      securityContext: { runAsUser: 65534 },
      readinessProbe: { exec: { command: ['sh', '-c', 'test -f /tmp/ready && grep -q p /etc/hostname && grep -q 65534 /tmp/uid'] }, periodSeconds: 1 },
    })], { restartPolicy: 'Never', terminationGracePeriodSeconds: 2 });
    await h.rt.syncPod(pod, {});
    await h.waitStatus(pod, 'ready (the probe ran inside)', (st) => only(st).ready === true, 30_000);
  });

  it('graceful deletion: SIGTERM reaches PID 1 through runc; one that ignores it is killed after the grace period', async () => {
    await create();
    const trap = h.pod('t', [bb({ command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo up; while :; do sleep 0.1; done'] })], { restartPolicy: 'Never' });
    const deaf = h.pod('d', [bb({ command: ['sleep', '300'] })], { restartPolicy: 'Never' });
    await h.rt.syncPod(trap, {});
    await h.rt.syncPod(deaf, {});
    await h.waitStatus(trap, 'Running', (st) => st.phase === 'Running');
    await h.waitStatus(deaf, 'Running', (st) => st.phase === 'Running');
    // Running means runc was started; the trap is set once the shell says so.
    await waitFor('the trap set', async () => (await h.rt.readLogs(trap.metadata.uid!, 'c')).includes('up'));
    const t0 = Date.now();
    await h.rt.killPod(trap.metadata.uid!, 30);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(only(h.rt.podStatus(trap)).state.terminated?.exitCode).toBe(0);
    expect(await h.rt.readLogs(trap.metadata.uid!, 'c')).toContain('bye');
    await h.rt.killPod(deaf.metadata.uid!, 2);
    expect(only(h.rt.podStatus(deaf)).state.terminated?.exitCode).toBe(137);
  });

  it('lifecycle hooks run inside the container: postStart after the start, preStop before SIGTERM; a failing postStart kills the run', async () => {
    await create();
    const pod = h.pod('p', [bb({
      command: ['sh', '-c', 'trap "echo term; exit 0" TERM; echo up; while :; do sleep 0.1; done'],
      lifecycle: {
        postStart: { exec: { command: ['sh', '-c', 'echo poststart > /proc/1/fd/1'] } },
        preStop: { exec: { command: ['sh', '-c', 'echo prestop > /proc/1/fd/1'] } },
      },
    })], { restartPolicy: 'Never', terminationGracePeriodSeconds: 10 });
    const bad = h.pod('b', [bb({ command: ['sleep', '300'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 3'] } } } })], { restartPolicy: 'Never', terminationGracePeriodSeconds: 1 });
    await h.rt.syncPod(pod, {});
    await h.rt.syncPod(bad, {});
    await waitFor('postStart ran', async () => (await h.rt.readLogs(pod.metadata.uid!, 'c')).includes('poststart'));
    await h.rt.killPod(pod.metadata.uid!, 10);
    const log = await h.rt.readLogs(pod.metadata.uid!, 'c');
    expect(log.indexOf('prestop')).toBeGreaterThan(-1);
    expect(log.indexOf('prestop')).toBeLessThan(log.indexOf('term'));
    expect(only(h.rt.podStatus(pod)).state.terminated?.exitCode).toBe(0);
    await h.waitStatus(bad, 'killed after the failed postStart', (st) => st.phase === 'Failed', 30_000);
    const failed = h.events.find((e) => e.podUid === bad.metadata.uid && e.reason === 'FailedPostStartHook');
    expect(failed?.message).toContain('Exec lifecycle hook (["sh","-c","exit 3"]) for Container "c" in Pod "b_default(');
  });

  it('a followed log goes on through a graceful kill to the container\'s last words', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['sh', '-c', 'trap "echo term; exit 0" TERM; echo up; while :; do sleep 0.1; done'], lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop > /proc/1/fd/1'] } } } })], { restartPolicy: 'Never', terminationGracePeriodSeconds: 10 });
    await h.rt.syncPod(pod, {});
    await waitFor('up', async () => (await h.rt.readLogs(pod.metadata.uid!, 'c')).includes('up'));
    let got = '';
    const followed = h.rt.followLogs(pod.metadata.uid!, 'c', {}, (c) => void (got += c), new AbortController().signal);
    await h.rt.killPod(pod.metadata.uid!, 10);
    await followed;
    expect(got).toBe('up\nprestop\nterm\n');
  });

  it('OnFailure: a failing container restarts as a new container; logs --previous has the first run', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['sh', '-c', 'if [ -f /tmp/once ]; then echo second; exit 0; fi; touch /tmp/once; echo first; exit 1'] })], { restartPolicy: 'OnFailure' });
    await h.rt.syncPod(pod, {});
    // Each run has its own writable layer, so /tmp/once is gone: the restart fails the same way.
    const s = await h.waitStatus(pod, 'restarted twice', (st) => only(st).restartCount >= 2, 30_000);
    expect(only(s).lastState.terminated).toMatchObject({ exitCode: 1 });
    expect(await h.rt.readLogs(pod.metadata.uid!, 'c', { previous: true })).toBe('first\n');
    const rec = h.rt.podRecord(pod.metadata.uid!)!.containers.c!;
    expect(rec.previous?.containerID).not.toBe(rec.current?.containerID);
  });

  it('a restarted runtime re-adopts a running container; killOrphans ends it and leaves nothing', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['sleep', '300'] })], { restartPolicy: 'Never', terminationGracePeriodSeconds: 1 });
    await h.rt.syncPod(pod, {});
    await h.waitStatus(pod, 'Running', (st) => st.phase === 'Running');
    await h.rt.close();
    const rt = h.newRuntime();
    expect(await rt.recover()).toEqual([pod.metadata.uid]);
    expect(only(rt.podStatus(pod)).state.running).toBeDefined();
    await rt.killOrphans([], { gracePeriodSeconds: 0 });
    expect(rt.knownPods()).toEqual([]);
  });

  it('termination messages: from the file, and from the log with FallbackToLogsOnError', async () => {
    await create();
    const file = h.pod('f', [bb({ command: ['sh', '-c', 'echo -n done-ok > /dev/termination-log'] })], { restartPolicy: 'Never' });
    const logs = h.pod('l', [bb({ command: ['sh', '-c', 'echo line1; echo line2; exit 2'], terminationMessagePolicy: 'FallbackToLogsOnError' })], { restartPolicy: 'Never' });
    const custom = h.pod('m', [bb({ command: ['sh', '-c', 'echo -n custom > /tmp/msg'], terminationMessagePath: '/tmp/msg' })], { restartPolicy: 'Never' });
    for (const p of [file, logs, custom]) await h.rt.syncPod(p, {});
    expect(only(await h.waitStatus(file, 'done', (st) => st.phase === 'Succeeded')).state.terminated?.message).toBe('done-ok');
    expect(only(await h.waitStatus(logs, 'failed', (st) => st.phase === 'Failed')).state.terminated?.message).toBe('line1\nline2');
    expect(only(await h.waitStatus(custom, 'done', (st) => st.phase === 'Succeeded')).state.terminated?.message).toBe('custom');
  });

  it('refuses runAsNonRoot for a root image; a missing program is a StartError; an unknown image waits in ErrImagePull then ImagePullBackOff', async () => {
    await create();
    const root = h.pod('r', [bb({ command: ['true'], securityContext: { runAsNonRoot: true } })], { restartPolicy: 'Never' });
    const missing = h.pod('m', [bb({ command: ['nope'] })], { restartPolicy: 'Never' });
    const unknown = h.pod('u', [{ name: 'c', image: 'no-such-image:v1' }], { restartPolicy: 'Never' });
    for (const p of [root, missing, unknown]) await h.rt.syncPod(p, {});
    const r = await h.waitStatus(root, 'config error', (st) => only(st).state.waiting?.reason === 'CreateContainerConfigError');
    expect(only(r).state.waiting?.message).toBe(`container has runAsNonRoot and image will run as root (pod: "r_default(${root.metadata.uid})", container: c)`);
    const m = await h.waitStatus(missing, 'StartError', (st) => st.phase === 'Failed');
    expect(only(m).state.terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
    expect(only(m).state.terminated?.message).toContain('exec: "nope": executable file not found in $PATH');
    await h.waitStatus(unknown, 'ErrImagePull', (st) => only(st).state.waiting?.reason === 'ErrImagePull');
    await h.waitStatus(unknown, 'ImagePullBackOff', (st) => only(st).state.waiting?.reason === 'ImagePullBackOff');
    const reasons = h.events.filter((e) => e.podUid === unknown.metadata.uid).map((e) => `${e.reason}: ${e.message}`);
    expect(reasons).toEqual(expect.arrayContaining([
      'Pulling: Pulling image "no-such-image:v1"',
      'Failed: Error: ErrImagePull',
      'BackOff: Back-off pulling image "no-such-image:v1"',
      'Failed: Error: ImagePullBackOff',
    ]));
  });
});
