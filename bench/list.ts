/**
 * `npm run bench -- list [--size N] [--rounds R] [--before-bundle FILE] [--cpu-prof DIR]`: the
 * scale benchmark's list part alone (bench/scale.ts, step 2), interleaved across api-servers.
 * N finished pods (default 100,000; the scale bench's objects, stored over NATS) on a redis-server
 * and nats-server of its own, then R rounds (default 3), each: an api-server with
 * `KJOBS_LIST_READAHEAD=0`, then one with `1` — and first, with `--before-bundle`, that api-server
 * bundle (built at another commit: `node scripts/bundle.mjs api-server` there, its
 * services/api-server/dist/main.mjs copied into this checkout's services/api-server/dist/ under
 * another name: it reads its Lua scripts relative to itself) — a fresh process each on the same Redis, each listing every
 * pod in pages of 500 over HTTPS and over NATS (wall time, the api-server's peak RSS growth and
 * CPU), beside the Redis read floor of the same objects read right after; and Redis bytes per
 * stored pod at rest, as the scale bench measures them. `--cpu-prof DIR`
 * writes a V8 CPU profile of each api-server there. Prints a table and one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { HttpClient, NatsClient } from '@kjobs/client';
import { startOwnedInfra } from '../chaos/infra.js';
import { freePort } from '../scripts/infra.js';
import { ROOT, readKubeconfig, startCluster, type Cluster } from '../scripts/cluster.js';
import { until } from './support/bench-cluster.js';
import { emitResult, inFlight, machine, onInterrupt, printTable, progress } from './support/util.js';
import { load, readProc, round } from './support/measure.js';
import { createAll, finishedPod, finishedStatus, NS } from './support/scale-objects.js';
import { changeLogBytes, measuredList, pagedList, redisListFloor, redisUsed, sum } from './support/scale-store.js';

const USAGE = 'usage: npm run bench -- list [--size N] [--rounds R] [--before-bundle FILE] [--cpu-prof DIR]';

interface ListArgs { size: number; rounds: number; cpuProf?: string; beforeBundle?: string }
interface Mode { name: string; env: string; bundle?: string }

function parseArgs(argv: string[]): ListArgs {
  const out: ListArgs = { size: 100_000, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[++i];
    if (flag === '--size' || flag === '--rounds') {
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${flag} wants an integer >= 1, got ${JSON.stringify(v)}\n${USAGE}`);
      out[flag === '--size' ? 'size' : 'rounds'] = Number(v);
    } else if (flag === '--cpu-prof' && v) out.cpuProf = path.resolve(v);
    else if (flag === '--before-bundle' && v && existsSync(v)) out.beforeBundle = path.resolve(v);
    else throw new Error(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
  }
  return out;
}

const log = (line: string) => process.stderr.write(`[list] ${line}\n`);

interface Measured { round: number; mode: string; https_s: number; nats_s: number; floor_s: number; https_rss_mib: number; nats_rss_mib: number; api_cpu_https_s: number; api_cpu_nats_s: number; load: number }

export async function run(argv = process.argv.slice(3)): Promise<void> {
  let args: ListArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-list-'));
  const infra = await startOwnedInfra(home, { appendfsync: 'everysec' });
  const prefix = `list${randomBytes(3).toString('hex')}`;
  const redis = new Redis(infra.redis.url);
  let cluster: Cluster | undefined;
  let nc: NatsConnection | undefined;
  const unregister = onInterrupt(async () => {
    before?.kill('SIGTERM');
    await cluster?.stop();
    await infra.stop();
    rmSync(home, { recursive: true, force: true });
  });
  let before: ChildProcess | undefined;
  const stopBefore = async () => {
    if (!before || before.exitCode !== null) return;
    const exited = new Promise((r) => before!.once('exit', r));
    before.kill('SIGTERM');
    await exited;
  };
  const start = async (readAhead: string, tag: string, bundle?: string) => {
    if (args.cpuProf) mkdirSync(args.cpuProf, { recursive: true });
    const prof: Record<string, string> = args.cpuProf ? { NODE_OPTIONS: `--import ${path.join(import.meta.dirname, 'support', 'cpu-profile.mjs')}`, KJOBS_CPU_PROFILE: path.join(args.cpuProf, `api-server-${tag}.cpuprofile`) } : {};
    cluster = await startCluster({
      home, redisUrl: infra.redis.url, natsUrl: infra.nats.url, apiPort: await freePort(), storePrefix: prefix, subjectPrefix: prefix,
      without: ['memq', 'scheduler', 'job-controller', 'kubelet-agent'], nodes: 0, localRegistry: 'off',
      env: { LOG_LEVEL: 'warn', KJOBS_LIST_READAHEAD: readAhead, ...prof },
    });
    const kc = readKubeconfig(home);
    const http = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca, timeoutMs: 120_000 });
    const nats = new NatsClient({ nc: nc!, prefix, token: kc.token, timeoutMs: 120_000 });
    let pid = cluster.procs.get('api-server')!.pid!;
    if (bundle) {
      // The other bundle serves in its place: same environment, port, home and store.
      const own = cluster.procs.get('api-server')!;
      const exited = new Promise((r) => own.once('exit', r));
      own.kill('SIGTERM');
      await exited;
      const spec = cluster.specs.find((s) => s.name === 'api-server')!;
      const out = createWriteStream(path.join(home, 'logs', 'api-server-before.log'), { flags: 'a' });
      before = spawn(process.execPath, [bundle], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? home, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      before.stdout!.pipe(out, { end: false });
      before.stderr!.pipe(out, { end: false });
      pid = before.pid!;
      await until('the --before-bundle api-server answers', () => http.list('Namespace').then(() => true, () => false), 60_000)
        .catch((e: Error) => Promise.reject(new Error(`${e.message}; its log: ${readFileSync(path.join(home, 'logs', 'api-server-before.log'), 'utf8').slice(-2000)}`)));
    }
    return { http, nats, pid };
  };
  const results: Measured[] = [];
  try {
    nc = await connectBus({ url: infra.nats.url });
    log(`storing ${args.size} finished pods (redis ${infra.redis.url}, home ${home})`);
    let c = await start('0', 'store');
    let created = 0;
    const stop = progress('list store', () => `${created}/${args.size} pods`);
    const nats0 = c.nats;
    const used0 = await redisUsed(redis);
    const log0 = sum(await changeLogBytes(redis, prefix));
    await createAll(nats0, 'Pod', args.size, (i) => (created++, finishedPod(`p-${i}`, i)));
    await inFlight(args.size, 256, (i) => nats0.patch('Pod', NS, `p-${i}`, 'merge', { status: finishedStatus(i) }, { subresource: 'status' }).then(() => undefined));
    stop();
    // As the scale bench measures it: used_memory's growth without the change log's, per pod.
    const perPodRest = Math.round((await redisUsed(redis) - used0 - (sum(await changeLogBytes(redis, prefix)) - log0)) / args.size);
    log(`Redis bytes per finished pod at rest: ${perPodRest} (target 3584)`);
    await c.http.close();
    await cluster!.stop();
    const modes: Mode[] = [...(args.beforeBundle ? [{ name: 'before', env: '0', bundle: args.beforeBundle }] : []), { name: 'read-ahead off', env: '0' }, { name: 'read-ahead on', env: '1' }];
    for (let r = 1; r <= args.rounds; r++) {
      for (const [i, mode] of modes.entries()) {
        c = await start(mode.env, `${r}-${i}`, mode.bundle);
        await pagedList(c.http, 'Pod', 500); // warm: TLS session, the server's JIT
        await pagedList(c.nats, 'Pod', 500);
        const cpu0 = readProc(c.pid).cpuSec;
        const h = await measuredList(c.http, c.pid);
        const cpu1 = readProc(c.pid).cpuSec;
        const n = await measuredList(c.nats, c.pid);
        const cpu2 = readProc(c.pid).cpuSec;
        const floor = await redisListFloor(redis, prefix);
        if (h.items !== args.size || n.items !== args.size) throw new Error(`listed ${h.items} (HTTPS) and ${n.items} (NATS) of ${args.size} pods`);
        const m: Measured = {
          round: r, mode: mode.name, https_s: round(h.ms / 1000, 3), nats_s: round(n.ms / 1000, 3), floor_s: round(floor / 1000, 3),
          https_rss_mib: round(h.rss_growth_mib), nats_rss_mib: round(n.rss_growth_mib), api_cpu_https_s: round(cpu1 - cpu0, 3), api_cpu_nats_s: round(cpu2 - cpu1, 3), load: load()[0]!,
        };
        log(JSON.stringify(m));
        results.push(m);
        await c.http.close();
        await stopBefore();
        await cluster!.stop();
        cluster = undefined;
      }
    }
    console.log(`\nlist benchmark — ${args.size} finished pods (Redis ${perPodRest} bytes each at rest, target ≤ 3584), pages of 500, ${args.rounds} rounds interleaved`);
    printTable([
      ['round', 'mode', 'HTTPS s', 'NATS s', 'Redis floor s', 'api RSS growth MiB (HTTPS / NATS)', 'api CPU s (HTTPS / NATS)', 'load'],
      ...results.map((m) => [m.round, m.mode, m.https_s, m.nats_s, m.floor_s, `${m.https_rss_mib} / ${m.nats_rss_mib}`, `${m.api_cpu_https_s} / ${m.api_cpu_nats_s}`, m.load]),
    ]);
    emitResult({ bench: 'list', size: args.size, redis_bytes_per_finished_pod: perPodRest, machine: machine(), ...(args.beforeBundle ? { before_bundle: args.beforeBundle } : {}), rounds: results });
  } finally {
    await nc?.close().catch(() => undefined);
    redis.disconnect();
    await stopBefore();
    await cluster?.stop().catch((e: Error) => log(`stop: ${e.message}`));
    await infra.stop();
    unregister();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
