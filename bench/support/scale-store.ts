/** What the scale benchmark reads of Redis and the api-server: memory per object, change-log bytes, paged lists with the api-server's peak RSS, the Redis read floor. (part of bench/scale.ts) */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { type ApiClient } from '@kjobs/client';
import { readProc } from './measure.js';
import { NS } from './scale-objects.js';

export async function redisUsed(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Bytes of every change log (`MEMORY USAGE` of each `{p}:log:*` stream), by resource. */
export async function changeLogBytes(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:log:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) out[k.slice(k.lastIndexOf(':') + 1)] = Number(await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
  }
  while (cursor !== '0');
  return out;
}
export const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Reset a process's VmHWM to its current RSS (so VmHWM afterwards is the peak since now); false when not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Every pod in pages of `limit`: wall ms, pages, items. */
export async function pagedList(client: ApiClient, kind: string, limit: number): Promise<{ ms: number; items: number; pages: number }> {
  const t0 = performance.now();
  let cont: string | undefined;
  let items = 0;
  let pages = 0;
  do {
    const l = await client.list(kind, { namespace: NS, limit, ...(cont ? { continue: cont } : {}) });
    items += l.items.length;
    pages++;
    cont = l.metadata.continue || undefined;
  } while (cont);
  return { ms: performance.now() - t0, items, pages };
}

/** A list measured with the api-server's peak RSS growth. */
export async function measuredList(client: ApiClient, apiPid: number): Promise<{ ms: number; items: number; pages: number; rss_growth_mib: number; rss_method: string }> {
  global.gc?.();
  const before = readProc(apiPid).rssMiB;
  const hwm = resetPeak(apiPid);
  let peak = before;
  const timer = hwm ? undefined : setInterval(() => (peak = Math.max(peak, readProc(apiPid).rssMiB)), 10);
  const r = await pagedList(client, 'Pod', 500);
  clearInterval(timer);
  if (hwm) peak = readProc(apiPid).peakRssMiB;
  return { ...r, rss_growth_mib: peak - before, rss_method: hwm ? 'VmHWM after clear_refs' : 'VmRSS sampled every 10 ms' };
}

/**
 * The floor of a list: the stored JSON of every pod straight from Redis, one script call per 500
 * (HGET of each object's `d`, as the store's list reads it), parsed here: no index scan, no
 * filtering, no encoding, no transport to a client.
 */
export async function redisListFloor(redis: Redis, prefix: string): Promise<number> {
  const members = await redis.zrange(`{${prefix}}:i:pods:ns:${NS}`, '0', '-1');
  const script = "local out = {} for i, m in ipairs(ARGV) do out[i] = redis.call('HGET', KEYS[1] .. m, 'd') end return out";
  const t0 = performance.now();
  let items = 0;
  for (let i = 0; i < members.length; i += 500) {
    const page = (await redis.eval(script, 1, `{${prefix}}:o:pods:`, ...members.slice(i, i + 500))) as string[];
    items += page.filter((d) => JSON.parse(d) as object).length;
  }
  if (items !== members.length) throw new Error(`the Redis floor read ${items} of ${members.length} pods`);
  return performance.now() - t0;
}
