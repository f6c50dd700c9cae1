import type { KObject, ResourceInfo } from '@kjobs/api';
import { decodeObject } from './object-codec.js';
import type { ChangeRecord } from './store.js';

/** One stream entry as XRANGE / XREAD return it: [id, [field, value, ...]]. */
export type RawStreamEntry = [id: string, fields: string[]];

/**
 * Turn a change-log entry (ID "<rev>-0"; fields t, k, p, d) into a ChangeRecord whose object
 * carries the entry's revision as resourceVersion.
 */
export function toChangeRecord(res: ResourceInfo, entry: RawStreamEntry): ChangeRecord {
  const [id, flat] = entry;
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  const rv = id.slice(0, id.indexOf('-'));
  const type = f.t === 'ADDED' || f.t === 'MODIFIED' || f.t === 'DELETED' ? f.t : 'MODIFIED';
  const json = f.d ?? '{"metadata":{}}';
  const key = f.k ?? '';
  let object: KObject | undefined;
  return {
    resource: res, type, rv, prev: f.p ?? '0',
    // Decoded on first use: a relay that only passes the change on never pays for it.
    get object(): KObject {
      return (object ??= decodeObject(json, rv));
    },
    raw: { json, namespace: key.slice(0, Math.max(0, key.indexOf('/'))) },
  };
}

/**
 * The per-stream results of an XREAD reply, whatever shape the connection's protocol gives it:
 * null (nothing), RESP2 `[[key, entries], ...]`, RESP3 maps flattened to `[key, entries, ...]`
 * (ioredis "legacy" mapping), or a RESP3 map as a plain object.
 */
export function streamReadPairs(reply: unknown): [string, RawStreamEntry[]][] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) return Object.entries(reply as Record<string, RawStreamEntry[]>);
  if (reply.length === 0) return [];
  if (Array.isArray(reply[0])) return reply as [string, RawStreamEntry[]][];
  const out: [string, RawStreamEntry[]][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), reply[i + 1] as RawStreamEntry[]]);
  return out;
}
