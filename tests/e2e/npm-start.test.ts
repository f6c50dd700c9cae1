/**
 * `npm start` as a user runs it: the banner only once the cluster serves, a long pod, then
 * SIGINT: nothing of the cluster is left (services, launchers, pod processes, containers,
 * registry). And a second cluster on the same Redis and prefix is refused, not merged.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OciLayout } from '@kjobs/kubelet-agent/testing';
import { freePort } from '../../scripts/infra.js';
import { deleteKeys } from '../../scripts/redis-cleanup.js';
import { ROOT } from '../../scripts/cluster.js';
import { run, waitFor } from './harness.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `e2estart${randomBytes(4).toString('hex')}`;
const homes: string[] = [];
const procs: ChildProcess[] = [];

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await deleteKeys(redisUrl, `*${prefix}*`);
  for (const h of homes) rmSync(h, { recursive: true, force: true });
}, 60_000);

/** `npm start` (scripts/start.ts) with its own home, ports and prefixes; its output collected. */
async function npmStart(home: string, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; out: () => string }> {
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, KJOBS_HOME: home, KJOBS_API_PORT: String(await freePort()), KJOBS_MEMQ_PORT: String(await freePort()), KJOBS_REGISTRY_PORT: '0',
      KJOBS_STORE_PREFIX: prefix, KJOBS_SUBJECT_PREFIX: prefix, KJOBS_KUARD_KEY_BITS: '512', ...env,
    },
  });
  procs.push(proc);
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return { proc, out: () => out };
}

/** Processes whose command line names this home (services, launchers, registry). */
function processesOf(home: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmd.includes(home) || env.includes(`KJOBS_HOME=${home}`)) out.push(`${pid} ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

describe('npm start', () => {
  it('prints the banner once nodes and memq serve, and SIGINT leaves no process, container or cgroup of the cluster', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-start-'));
    homes.push(home);
    const s = await npmStart(home);
    await waitFor('the banner', () => s.out().includes('kjobs is running.'), 180_000);
    const env = { ...process.env, KUBECONFIG: path.join(home, 'kubeconfig') };
    // The banner promises a usable cluster: both nodes are Ready now, without waiting.
    const nodes = await run('kubectl', ['get', 'nodes', '--no-headers'], env);
    expect(nodes.stdout.trim().split('\n').filter((l) => / Ready /.test(l))).toHaveLength(2);
    const created = await run('kubectl', ['run', 'long', '--image=busybox', '--restart=Never', '--', 'sleep', '300'], env);
    expect(created.code).toBe(0);
    await waitFor('long Running', async () => (await run('kubectl', ['get', 'pod', 'long', '-o', 'jsonpath={.status.phase}'], env)).stdout === 'Running', 120_000);
    const node = (await run('kubectl', ['get', 'pod', 'long', '-o', 'jsonpath={.spec.nodeName}'], env)).stdout;
    const allSleeps = () => {
      try {
        return execFileSync('pgrep', ['-f', '^sleep 300$']).toString().trim().split('\n');
      } catch {
        return []; // pgrep exits 1 when it finds nothing
      }
    };
    // `sleep 300` processes of this cluster (other tests may run their own).
    const sleepers = () => allSleeps().filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(new OciLayout(path.join(home, 'nodes', node)).nodeCgroup) || readFileSync(`/proc/${pid}/environ`, 'utf8').includes(home);
      } catch {
        return false;
      }
    });
    expect(sleepers().length).toBe(1);
    s.proc.kill('SIGINT');
    await waitFor('npm start exited', () => s.proc.exitCode !== null, 60_000);
    expect(s.out()).toContain('kjobs: stopped.');
    expect(processesOf(home)).toEqual([]);
    expect(sleepers()).toEqual([]);
    for (const n of ['node-1', 'node-2']) {
      const l = new OciLayout(path.join(home, 'nodes', n));
      expect(existsSync(l.stateDir) ? l.stateDir : '').toBe('');
      expect(existsSync(path.join('/sys/fs/cgroup/memory', l.nodeCgroup)) ? l.nodeCgroup : '').toBe('');
    }
  }, 300_000);

  it('a second cluster on the same Redis and key prefix is refused with a clear message', async () => {
    const first = mkdtempSync(path.join(os.tmpdir(), 'kjobs-start-'));
    const second = mkdtempSync(path.join(os.tmpdir(), 'kjobs-start-'));
    homes.push(first, second);
    // Its own prefix: the first test's cluster claimed `prefix` for its home.
    const shared = { KJOBS_RUNTIME: 'process', KJOBS_LOCAL_REGISTRY: 'off', KJOBS_STORE_PREFIX: `${prefix}b`, KJOBS_SUBJECT_PREFIX: `${prefix}b` };
    const a = await npmStart(first, shared);
    await waitFor('the first banner', () => a.out().includes('kjobs is running.'), 180_000);
    const b = await npmStart(second, shared);
    await waitFor('the second start gives up', () => b.proc.exitCode !== null, 120_000);
    expect(b.proc.exitCode).toBe(1);
    expect(b.out()).toContain(`already holds the objects of another kjobs cluster (home ${first}`);
    expect(b.out()).not.toContain('kjobs is running.');
    a.proc.kill('SIGINT');
    await waitFor('first stopped', () => a.proc.exitCode !== null, 60_000);
    expect(processesOf(second)).toEqual([]);
  }, 300_000);
});
