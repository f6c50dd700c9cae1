/**
 * End-to-end harness: a whole kjobs cluster as processes (the same launcher as `npm start`) on
 * the machine's Redis and NATS, with its own state dir, ports and key/subject prefixes, plus
 * helpers to drive it through kubectl, the kjobs CLI and the REST API.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isApiError, type Job } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { stringify as stringifyYaml } from 'yaml';
import { freePort } from '../../scripts/infra.js';
import { deleteKeys } from '../../scripts/redis-cleanup.js';
import { ROOT, readKubeconfig, startCluster, type Cluster, type ClusterOptions } from '../../scripts/cluster.js';

export interface E2E {
  cluster: Cluster;
  home: string;
  kubeconfig: string;
  api: HttpClient;
  memqPort: number;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  kjobs(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** `kubectl apply -f -` of an object; throws with kubectl's words when it says anything on stderr. */
  apply(obj: unknown): Promise<void>;
  /** `kubectl get KIND NAME -o json`, parsed; undefined when kubectl fails (not found). */
  getJson(kind: string, name: string): Promise<any>;
  /** True when the API answers 404 for the object in `default` (other errors throw). */
  isGone(kind: string, name: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (bounded by timeoutMs). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    p.stdin.end(opts.input ?? '');
  });
}

/** Start a cluster for one test file. */
export async function startE2E(extra: Partial<ClusterOptions> = {}): Promise<E2E> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-e2e-'));
  const prefix = `e2e${randomBytes(4).toString('hex')}`;
  const apiPort = await freePort();
  const memqPort = await freePort();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const cluster = await startCluster({
    home, redisUrl, natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', apiPort, memqPort,
    storePrefix: prefix, subjectPrefix: prefix,
    // Loopback pod addresses of their own (127.40–239.x.y), so that test files running at once
    // never give two pods the same address (a kuard on :8080 in each would collide).
    podAddressOctet: 40 + 2 * randomInt(0, 100),
    ...extra,
    env: {
      // Small RSA keys and a short crash-loop backoff keep the chapter's Jobs quick; the
      // behaviour is the same as with the defaults.
      KJOBS_KUARD_KEY_BITS: '512', KJOBS_CRASHLOOP_INITIAL_MS: '1000', KJOBS_CRASHLOOP_MAX_MS: '4000',
      // The suites that test the control plane run pods as processes; tests/e2e/containers.test.ts
      // runs the same kinds of pods as OCI containers (`npm start` picks oci where it can run).
      KJOBS_RUNTIME: 'process',
      // ... on the node's network (loopback addresses): the pod network has its own suites
      // (pod-network.test.ts, the agent's network tests), and CNI per pod would only slow these.
      KJOBS_POD_NETWORK: 'off',
      ...(extra.env ?? {}),
    },
  });
  const kubeconfig = path.join(home, 'kubeconfig');
  const kc = readKubeconfig(home);
  const api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca });
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(home, 'kube-cache'), NO_COLOR: '1' };
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => run('kubectl', [`--cache-dir=${path.join(home, 'kube-cache')}`, ...args], env, opts);
  return {
    cluster, home, kubeconfig, api, memqPort,
    kubectl,
    kjobs: (args, opts) => run(process.execPath, [path.join(ROOT, 'packages/cli/bin/kjobs.mjs'), ...args], env, opts),
    async apply(obj) {
      const r = await kubectl(['apply', '-f', '-'], { input: stringifyYaml(obj) });
      if (r.code !== 0 || r.stderr) throw new Error(`kubectl apply: ${r.stderr || `exit ${r.code}`}`);
    },
    async isGone(kind, name) {
      try {
        await api.get(kind, 'default', name);
        return false;
      } catch (err) {
        if (isApiError(err, 404)) return true;
        throw err;
      }
    },
    async getJson(kind, name) {
      const r = await kubectl(['get', kind, name, '-o', 'json']);
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    },
    async stop() {
      await api.close();
      await cluster.stop();
      await deleteKeys(redisUrl, `*${prefix}*`);
      if (!process.env.KJOBS_E2E_KEEP) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Poll `fn` until it returns a value (not undefined/false), or fail after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The chapter's manifests and load-queue.sh, as the book prints them (examples/chapter-12). */
export const EXAMPLES = path.resolve(ROOT, 'examples', 'chapter-12');

/** A Job in `default` of busybox pods that each `sleep` (seconds) and succeed: the failover tests' workload. */
export function sleepJob(name: string, o: { completions: number; parallelism: number; sleep: number; backoffLimit?: number }): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: {
      completions: o.completions, parallelism: o.parallelism, backoffLimit: o.backoffLimit ?? 0,
      template: { spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `sleep ${o.sleep}`] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
    },
  };
}
