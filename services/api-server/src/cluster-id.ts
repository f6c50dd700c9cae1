import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOrCreateFile } from './create-once.js';

/**
 * This cluster's identity: KJOBS_CLUSTER_ID when set (api-server replicas of one cluster on
 * several machines share it), else `<home>/cluster-id`, made once. The store is claimed with it
 * (RedisStore.claim), so two clusters never share one set of keys by accident. api-servers
 * sharing one home that start at once get the same id (the first one written).
 */
export function clusterId(home: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(home, 'cluster-id');
  const id = readOrCreateFile(file, () => `${randomUUID()}\n`).trim();
  if (id) return id;
  // An empty file (a start killed while writing it, before it was made atomically): make one now.
  const fresh = randomUUID();
  writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}
