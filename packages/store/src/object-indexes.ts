import { fieldValue, type KObject, type ResourceInfo } from '@kjobs/api';
import type { StoreKeys } from './keys.js';

/**
 * Every index ZSET an object belongs to, in a stable order without duplicates: the kind's `all`
 * index, its namespace (namespaced kinds), one per label `key=value`, one per `fieldIndexes` path
 * (value "" when the field is absent, so "unscheduled pods" is `spec.nodeName=`), and one per
 * ownerReference uid. The write scripts diff this list against the stored one.
 */
export function indexKeysFor(keys: StoreKeys, res: ResourceInfo, namespace: string, obj: KObject): string[] {
  const out = new Set<string>([keys.indexAll(res)]);
  if (res.namespaced) out.add(keys.indexNamespace(res, namespace));
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) out.add(keys.indexLabel(res, k, String(v)));
  for (const path of res.fieldIndexes) out.add(keys.indexField(res, path, fieldValue(obj, path)));
  for (const ref of obj.metadata.ownerReferences ?? []) {
    if (ref && typeof ref.uid === 'string' && ref.uid) out.add(keys.indexOwner(res, ref.uid));
  }
  return [...out];
}
