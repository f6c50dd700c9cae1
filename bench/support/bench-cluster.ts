/**
 * A whole kjobs cluster for one benchmark (every service a process, as `npm start` runs them), on
 * the machine's Redis and NATS with its own prefixes; pods, jobs and cron run on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Node } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { ensureInfra, freePort, type Infra } from '../../scripts/infra.js';
import { readKubeconfig, startCluster, type Cluster } from '../../scripts/cluster.js';

/** A whole cluster for one benchmark, on the machine's Redis and NATS with its own prefixes. */
export interface BenchCluster {
  cluster: Cluster;
  api: HttpClient;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * Where bench clusters keep their state: BENCH_HOME_DIR, else the repo's `.kjobs/`, where `npm
 * start` keeps its own. Not os.tmpdir(): on some machines creating a directory under /tmp costs
 * ten times what it does elsewhere on the same disk (measured 0.47 ms of CPU per mkdir against
 * 0.03–0.07 ms; ext4 searching block groups for /tmp's new inodes), and every pod creates one.
 */
function benchHomeParent(): string {
  const dir = path.resolve(process.env.BENCH_HOME_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.kjobs'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Start every service but memq with a temp KJOBS_HOME (under benchHomeParent()), a free api port and unique store/subject
 * prefixes; nodes get `nodePods` pod capacity. Resolves once `nodes` Nodes are Ready.
 * `stop()` stops the services and deletes every key under the prefix.
 */
export async function startBenchCluster(o: { nodes?: number; nodePods?: number; env?: Record<string, string>; localRegistry?: 'on' | 'off' } = {}): Promise<BenchCluster> {
  const home = mkdtempSync(path.join(benchHomeParent(), 'bench-'));
  let infra: Infra | undefined;
  let cluster: Cluster | undefined;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const nodes = o.nodes ?? 2;
  const cleanup = async (): Promise<void> => {
    await cluster?.stop();
    if (infra) {
      const redis = new Redis(infra.redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 5000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      await infra.stop();
    }
    if (!process.env.BENCH_KEEP_HOME) rmSync(home, { recursive: true, force: true });
  };
  try {
    infra = await ensureInfra(home);
    cluster = await startCluster({
      home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, apiPort: await freePort(),
      storePrefix: prefix, subjectPrefix: prefix, without: ['memq'], nodes,
      // The local registry seeds ~100 MB of images in the background: only the OCI runtime needs it,
      // and a seeding registry would share the CPU with what is measured.
      localRegistry: o.localRegistry ?? (o.env?.KJOBS_RUNTIME === 'oci' ? 'on' : 'off'),
      // Process pods unless a benchmark asks for containers (`pods --runtime=oci`): the floors of jobs and cron are spawned processes.
      // Process pods stay on the node's network: these runs measure the control plane, not CNI.
      env: { KJOBS_RUNTIME: 'process', ...(o.env?.KJOBS_RUNTIME === 'oci' ? {} : { KJOBS_POD_NETWORK: 'off' }), ...profileEnv(), ...o.env }, nodeEnv: () => ({ KJOBS_NODE_PODS: String(o.nodePods ?? 110) }),
    });
    const kc = readKubeconfig(home);
    const api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca, timeoutMs: 60_000 });
    await until(`${nodes} nodes Ready`, async () => {
      const list = await api.list<Node>('Node');
      return list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= nodes;
    }, 120_000);
    return {
      cluster, api, prefix,
      async stop() {
        await api.close();
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  }
}

/**
 * With BENCH_PROFILE_DIR set, every service writes a V8 CPU profile there when it exits
 * (`<service>-<pid>.cpuprofile`; open it in Chrome DevTools or speedscope). Node 20 refuses
 * --cpu-prof in NODE_OPTIONS, so a small --import hook runs the inspector's profiler instead.
 */
function profileEnv(): Record<string, string> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return {};
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true });
  const hook = path.join(abs, 'profile-hook.mjs');
  writeFileSync(hook, PROFILE_HOOK);
  return { NODE_OPTIONS: `--import ${hook}`, BENCH_PROFILE_DIR: abs };
}

const PROFILE_HOOK = `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
const s = new Session();
s.connect();
s.post('Profiler.enable');
s.post('Profiler.setSamplingInterval', { interval: 500 });
s.post('Profiler.start');
const name = (process.argv[1] ?? '').split(path.sep).at(-3) + (process.env.NODE_NAME ? '-' + process.env.NODE_NAME : '');
let done = false;
// A same-thread inspector session answers synchronously, so this works inside exit.
const dump = () => {
  if (done) return;
  done = true;
  s.post('Profiler.stop', (err, r) => {
    if (!err) writeFileSync(path.join(process.env.BENCH_PROFILE_DIR, name + '-' + process.pid + '.cpuprofile'), JSON.stringify(r.profile));
  });
};
const exit = process.exit.bind(process);
process.exit = (code) => { dump(); exit(code); };
process.on('exit', dump);
`;

/** Poll `fn` (every 200 ms) until true, or throw after timeoutMs. */
export async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
