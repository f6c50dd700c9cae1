/**
 * The container runtime end to end: every service a process, both nodes with `--runtime=oci`
 * (runc), images pulled from the cluster's local registry, driven with real kubectl.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { OciLayout } from '@kjobs/kubelet-agent/testing';
import { EXAMPLES, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
const NODES = ['node-1', 'node-2'];

beforeAll(async () => {
  e = await startE2E({
    env: { KJOBS_RUNTIME: 'oci', KJOBS_IMAGE_PULL_BACKOFF_INITIAL_MS: '1000', KJOBS_IMAGE_PULL_BACKOFF_MAX_MS: '4000' },
  });
  // The registry is seeded in the background: the images are there before the first pull needs them.
  const seeded = await e.cluster.registry?.seeded;
  expect(seeded?.errors ?? []).toEqual([]);
}, 180_000);

afterAll(async () => {
  const layouts = NODES.map((n) => new OciLayout(path.join(e.home, 'nodes', n)));
  await e?.stop();
  // A stopped cluster leaves no container, cgroup, state or mount of its nodes behind.
  for (const l of layouts) {
    expect(existsSync(l.stateDir) ? readdirSync(l.stateDir) : []).toEqual([]);
    for (const ctl of ['memory', 'pids', 'cpu', 'unified']) {
      const dir = path.join('/sys/fs/cgroup', ctl, l.nodeCgroup);
      expect(existsSync(dir) ? dir : '').toBe('');
    }
  }
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(e.home);
}, 120_000);



async function events(name: string): Promise<string[]> {
  const r = await e.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
  return (JSON.parse(r.stdout).items as { reason: string; message: string }[]).map((x) => `${x.reason}: ${x.message}`);
}

const busybox = (name: string, command: string[], extra: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: 'busybox', command, ...extra }], ...spec },
});

describe('the OCI runtime', () => {
  it('kubectl get nodes -o wide shows runc as the container runtime', async () => {
    const out = await waitFor('both nodes', async () => {
      const r = await e.kubectl(['get', 'nodes', '-o', 'wide']);
      return (r.stdout.match(/runc:\/\/\d+\.\d+\.\d+/g)?.length ?? 0) === 2 ? r.stdout : undefined;
    }, 60_000);
    expect(out).toMatch(/CONTAINER-RUNTIME/);
  });

  it('a busybox pod runs in its own PID namespace and the image root, and fails with exit code 3', async () => {
    // Kubernetes reduces `$$` to `$` in command and args, so `$$$$` reaches the shell as `$$`.
    await e.apply(busybox('pid1', ['sh', '-c', 'echo $$$$; ls /; exit 3']));
    const pod = await waitFor('pid1 Failed', async () => ((await e.getJson('pod', 'pid1'))?.status?.phase === 'Failed' ? e.getJson('pod', 'pid1') : undefined), 120_000);
    const term = pod.status.containerStatuses[0].state.terminated;
    expect(term).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(pod.status.containerStatuses[0].containerID).toMatch(/^runc:\/\/[0-9a-f]{64}$/);
    expect(pod.status.containerStatuses[0].imageID).toMatch(/busybox@sha256:[0-9a-f]{64}$/);
    const logs = (await e.kubectl(['logs', 'pid1'])).stdout.trim().split('\n');
    expect(logs[0]).toBe('1');
    expect(logs).toEqual(expect.arrayContaining(['bin', 'etc', 'proc', 'tmp']));
    expect(logs).not.toContain('nodes');
    const ev = await events('pid1');
    expect(ev.some((x) => /^Pulled: (Successfully pulled image "busybox" in .+ Image size: \d+ bytes\.|Container image "busybox" already present on machine)$/.test(x))).toBe(true);
  });

  it('limits.memory 32Mi: allocating 100 MiB ends OOMKilled (137), and a podFailurePolicy rule on 137 fails the Job', async () => {
    await e.apply({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'oom' },
      spec: {
        backoffLimit: 6,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [137] } }] },
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exec dd if=/dev/zero of=/dev/null bs=100M count=1'], resources: { limits: { memory: '32Mi' } } }] } },
      },
    });
    const job = await waitFor('Job oom failed', async () => {
      const j = JSON.parse((await e.kubectl(['get', 'job', 'oom', '-o', 'json'])).stdout);
      return j.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Failed' && c.status === 'True') ? j : undefined;
    }, 120_000);
    expect(job.status.conditions.find((c: { type: string }) => c.type === 'Failed').reason).toBe('PodFailurePolicy');
    const pods = JSON.parse((await e.kubectl(['get', 'pods', '-l', 'job-name=oom', '-o', 'json'])).stdout).items;
    expect(pods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('limits.cpu 100m: a busy loop gets about a tenth of a CPU (from its cgroup)', async () => {
    await e.apply(busybox('spin', ['sh', '-c', 'while :; do :; done'], { resources: { limits: { cpu: '100m' } } }));
    const pod = await waitFor('spin Running', async () => ((await e.getJson('pod', 'spin'))?.status?.phase === 'Running' ? e.getJson('pod', 'spin') : undefined), 120_000);
    const id = pod.status.containerStatuses[0].containerID.slice('runc://'.length);
    const layout = new OciLayout(path.join(e.home, 'nodes', pod.spec.nodeName));
    const usage = () => Number(readFileSync(path.join('/sys/fs/cgroup/cpuacct', layout.containerCgroup(pod.metadata.uid, id), 'cpuacct.usage'), 'utf8'));
    const u0 = await waitFor('cpu usage', () => usage());
    const t0 = process.hrtime.bigint();
    await waitFor('3 s of wall time', () => process.hrtime.bigint() - t0 > 3_000_000_000n, 10_000, 100);
    const share = (usage() - u0) / Number(process.hrtime.bigint() - t0);
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.15);
    await e.kubectl(['delete', 'pod', 'spin', '--wait=true']);
  });

  it('an image the registry lacks: ErrImagePull, then ImagePullBackOff, with the kubelet\'s events', async () => {
    const reg = new URL(e.cluster.registry!.url!).host;
    await e.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nope' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: `${reg}/kjobs/nope:v1` }] } });
    const reasons = new Set<string>();
    await waitFor('ImagePullBackOff after ErrImagePull', async () => {
      const r = (await e.getJson('pod', 'nope'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (r) reasons.add(r);
      return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
    }, 60_000, 100);
    const ev = await events('nope');
    expect(ev).toEqual(expect.arrayContaining([
      `Pulling: Pulling image "${reg}/kjobs/nope:v1"`,
      'Failed: Error: ErrImagePull',
      `BackOff: Back-off pulling image "${reg}/kjobs/nope:v1"`,
      'Failed: Error: ImagePullBackOff',
    ]));
    expect(ev.find((x) => x.startsWith('Failed: Failed to pull image'))).toMatch(/not found/);
    await e.kubectl(['delete', 'pod', 'nope', '--wait=true']);
  });

  it('the chapter\'s one-shot, failure and parallel Jobs run from the kuard image pulled through the local registry', async () => {
    const chapter = (file: string) => {
      const job = parseYaml(readFileSync(path.join(EXAMPLES, file), 'utf8'));
      // 512-bit keys instead of kuard's 4096 (1.7 s each here): the same program, only quicker.
      job.spec.template.spec.containers[0].args.push('--keygen-key-bits=512');
      return job;
    };
    await e.apply(chapter('job-oneshot.yaml'));
    await e.apply(chapter('job-parallel.yaml'));
    await waitFor('oneshot complete', async () => (await e.kubectl(['get', 'job', 'oneshot', '-o', 'jsonpath={.status.succeeded}'])).stdout === '1', 180_000, 500);
    await waitFor('parallel complete', async () => (await e.kubectl(['get', 'job', 'parallel', '-o', 'jsonpath={.status.succeeded}'])).stdout === '10', 240_000, 500);
    const logs = (await e.kubectl(['logs', 'job/oneshot'])).stdout;
    expect(logs).toMatch(/Item done/);
    const pod = JSON.parse((await e.kubectl(['get', 'pods', '-l', 'job-name=oneshot', '-o', 'json'])).stdout).items[0];
    expect(pod.status.containerStatuses[0].imageID).toMatch(/kuard-amd64@sha256:/);
    const pulled = (await events(pod.metadata.name)).filter((x) => x.startsWith('Pulled: '));
    // imagePullPolicy: Always: every start resolves the image in the registry.
    expect(pulled[0]).toMatch(/^Pulled: Successfully pulled image "gcr\.io\/kuar-demo\/kuard-amd64:blue" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.$/);

    // The book's failing variant is also named oneshot: the reader deletes the first one.
    await e.kubectl(['delete', 'job', 'oneshot', '--wait=true']);
    await e.apply(chapter('job-oneshot-failure1.yaml'));
    await waitFor('CrashLoopBackOff', async () => {
      const items = JSON.parse((await e.kubectl(['get', 'pods', '-l', 'job-name=oneshot', '-o', 'json'])).stdout).items as any[];
      return items.some((p) => p.status?.containerStatuses?.[0]?.restartCount >= 1 && p.status.containerStatuses[0].lastState?.terminated?.exitCode === 1);
    }, 180_000, 500);
    await e.kubectl(['delete', 'job', 'oneshot', '--wait=true']);
  });

  it('lifecycle hooks and termination messages through kubectl: postStart, preStop before SIGTERM, the message file, FallbackToLogsOnError', async () => {
    await e.apply(busybox('hooks', ['sh', '-c', 'trap "echo term; exit 0" TERM; echo up; while :; do sleep 0.1; done'], {
      lifecycle: {
        postStart: { exec: { command: ['sh', '-c', 'echo poststart > /proc/1/fd/1'] } },
        preStop: { exec: { command: ['sh', '-c', 'echo prestop > /proc/1/fd/1'] } },
      },
    // The pod's deadline kills it as a deletion would (preStop, then SIGTERM), and its log stays to be read.
    }, { terminationGracePeriodSeconds: 10, activeDeadlineSeconds: 8 }));
    await e.apply(busybox('msgfile', ['sh', '-c', 'echo -n all-done > /dev/termination-log']));
    await e.apply(busybox('msglog', ['sh', '-c', 'echo first; echo last words; exit 4'], { terminationMessagePolicy: 'FallbackToLogsOnError' }));
    await waitFor('postStart ran', async () => (await e.kubectl(['logs', 'hooks'])).stdout.includes('poststart'), 120_000, 1000);
    await waitFor('hooks failed at its deadline', async () => (await e.getJson('pod', 'hooks'))?.status?.phase === 'Failed', 120_000);
    const log = (await e.kubectl(['logs', 'hooks'])).stdout;
    expect(log.indexOf('prestop')).toBeGreaterThan(log.indexOf('poststart'));
    expect(log.indexOf('term')).toBeGreaterThan(log.indexOf('prestop'));
    const message = async (name: string) => waitFor(`${name} terminated`, async () => (await e.getJson('pod', name))?.status?.containerStatuses?.[0]?.state?.terminated, 120_000);
    expect((await message('msgfile')).message).toBe('all-done');
    expect(await message('msglog')).toMatchObject({ exitCode: 4, message: 'first\nlast words' });
  }, 240_000);

  it('SIGKILL the agent while a container runs: the restarted agent re-adopts it, and a delete still ends it', async () => {
    await e.apply(busybox('long', ['sleep', '300'], {}, { nodeName: 'node-1' }));
    const pod = await waitFor('long Running', async () => ((await e.getJson('pod', 'long'))?.status?.phase === 'Running' ? e.getJson('pod', 'long') : undefined), 120_000);
    const id = pod.status.containerStatuses[0].containerID;
    await e.cluster.restart('kubelet-agent-node-1', 'SIGKILL');
    // The same container keeps running under the new agent (no restart, same id).
    await waitFor('re-adopted', async () => {
      const p = await e.getJson('pod', 'long');
      return p?.status?.containerStatuses?.[0]?.containerID === id && p.status.containerStatuses[0].restartCount === 0 && p.status.phase === 'Running';
    }, 60_000);
    const layout = new OciLayout(path.join(e.home, 'nodes', 'node-1'));
    const list = () => execFileSync('runc', ['--root', layout.runcRoot, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(list()).toContain(id.slice('runc://'.length));
    await e.kubectl(['delete', 'pod', 'long', '--wait=true'], { timeoutMs: 60_000 });
    await waitFor('container gone', () => !list().includes(id.slice('runc://'.length)), 30_000);
  });
});
