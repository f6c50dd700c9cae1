import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * This cluster's identity: KJOBS_CLUSTER_ID when set (api-server replicas of one cluster on
 * several machines share it), else `<home>/cluster-id`, made once. The store is claimed with it
 * (RedisStore.claim), so two clusters never share one set of keys by accident.
 */
export function clusterId(home: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(home, 'cluster-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  }
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
