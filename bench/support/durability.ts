/**
 * The cost of the Redis failover rule (docs/reliability.md, Redis failover): two api-servers on one
 * Sentinel-managed primary with a replica (chaos/redis-sentinel.ts), one acknowledging writes when
 * the primary has them (KJOBS_REDIS_WAIT_REPLICAS=0), the other only once the replica has them
 * (=1, the default with Sentinels). Measured in turns, off then on, `rounds` times, so both see the
 * same machine; each variant reports its median round.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { connectBus } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';
import type { Pod } from '@kjobs/api';
import { readKubeconfig, spawnService, waitForApi, clusterServices } from '../../scripts/cluster.js';
import { startRedisSentinel } from '../../chaos/redis-sentinel.js';
import { freePort } from '../../scripts/infra.js';
import { inFlight, paced, summarize } from './util.js';

/** Writes/s and latency of one variant (medians over the rounds). */
export interface DurabilityResult {
  writesPerS: number;
  p50: number;
  p99: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Measure writes/s (256 in flight over NATS) and latency at 1,000 writes/s with the rule off and on. */
export async function measureDurability(home: string, natsUrl: string, pod: (name: string) => Pod, o: { n: number; rounds: number }): Promise<{ off: DurabilityResult; on: DurabilityResult }> {
  const rs = await startRedisSentinel(path.join(home, 'sentinel'));
  const nc = await connectBus({ url: natsUrl });
  const procs: ChildProcess[] = [];
  try {
    const variants = await Promise.all(['0', '1'].map(async (wait) => {
      const dir = path.join(home, `durability-${wait}`);
      mkdirSync(dir, { recursive: true });
      const prefix = `bench${randomBytes(3).toString('hex')}`;
      const spec = clusterServices({
        home: dir, redisUrl: (await rs.primary()).url, natsUrl, apiPort: await freePort(), storePrefix: prefix, subjectPrefix: prefix,
        without: ['scheduler', 'job-controller', 'kubelet-agent', 'memq'], env: { ...rs.env, KJOBS_REDIS_WAIT_REPLICAS: wait },
      })[0]!;
      procs.push(spawnService(spec, dir));
      await waitForApi(dir);
      const nats = new NatsClient({ nc, prefix, token: readKubeconfig(dir).token });
      await inFlight(300, 32, (i) => nats.create('Pod', pod(`warm-${i}`)).then(() => undefined));
      return { nats, rate: [] as number[], p50: [] as number[], p99: [] as number[] };
    }));
    for (let round = 0; round < o.rounds; round++) {
      for (const v of variants) {
        const ms = await inFlight(o.n, 256, (i) => v.nats.create('Pod', pod(`t${round}-${i}`)).then(() => undefined));
        v.rate.push((o.n / ms) * 1000);
        const lat = summarize(await paced(2000, 1000, (i) => v.nats.create('Pod', pod(`l${round}-${i}`)).then(() => undefined)));
        v.p50.push(lat.p50);
        v.p99.push(lat.p99);
      }
    }
    const [off, on] = variants.map((v) => ({ writesPerS: median(v.rate), p50: median(v.p50), p99: median(v.p99) }));
    return { off: off!, on: on! };
  } finally {
    for (const p of procs) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
    await nc.drain();
    await rs.stop();
  }
}
