import { badRequest, qualifiedResource, type ResourceInfo } from '@kjobs/api';

/** Namespaces and names the store accepts in a key: DNS-subdomain characters, at most 253. */
const NAME_RE = /^[a-z0-9.-]{1,253}$/;

/** True when `s` may appear as a namespace or name inside a key. */
export function isKeySafeName(s: string): boolean {
  return NAME_RE.test(s);
}

/**
 * The one module that builds every Redis key of the store. All keys share the hash tag `{prefix}`,
 * so each Lua script may touch any of them (one cluster slot):
 *
 * ```
 * {p}:rev                      STRING global revision (INCR)
 * {p}:floor                    STRING lowest revision a watch or continue token may start from
 * {p}:runid                    STRING Redis run_id seen at the last revision bump
 * {p}:sync                     STRING always 0: the no-op write of a replication barrier
 * {p}:o:<res>:<ns>/<name>      HASH   rv, d (JSON without resourceVersion), ix (JSON list of index keys, each without
 *                              indexPrefix; a key written whole, by an older kjobs, starts with "{")
 * {p}:i:<res>:all              ZSET   score 0, member "<ns>/<name>"
 * {p}:i:<res>:ns:<ns>          ZSET   one per namespace
 * {p}:i:<res>:l:<key>=<value>  ZSET   label equality index
 * {p}:i:<res>:f:<path>=<value> ZSET   field index (ResourceInfo.fieldIndexes)
 * {p}:i:<res>:owner=<uid>      ZSET   objects with an ownerReference to uid
 * {p}:log:<res>                STREAM change log, entry ID "<rev>-0"
 * {p}:last:<res>               STRING last revision written to that log (the next entry's prev)
 * {p}:marks:<res>              LIST   "<unix second>:<first rev of that second>" per second the log
 *                                     was written in, oldest first (age trimming, ~retention items)
 * {p}:relay-lease              STRING id of the api-server publishing watch events to NATS, PX 2 s
 *                                     (not the store's: the api-server's relay-lease.ts uses `tag`)
 * ```
 *
 * `<res>` is the qualified resource ("pods", "jobs.batch"). Namespaces and names are validated
 * again here (the api-server already did) so no key can be forged from outside input.
 */
export class StoreKeys {
  /** The hash-tagged prefix every key starts with, e.g. "{kjobs}". */
  readonly tag: string;

  constructor(readonly prefix = 'kjobs') {
    if (!prefix || /[{}\s]/.test(prefix)) throw new Error(`invalid store key prefix ${JSON.stringify(prefix)}`);
    this.tag = `{${prefix}}`;
  }

  /** Global revision counter. */
  rev(): string {
    return `${this.tag}:rev`;
  }

  /** Lowest revision a watch may start from (set by the restart rule). */
  floor(): string {
    return `${this.tag}:floor`;
  }

  /** Which cluster owns these keys: `{"id":…,"home":…}` of the api-server that claimed them first. */
  owner(): string {
    return `${this.tag}:owner`;
  }

  /** Written with INCRBY 0 by a replication barrier (ReplicaWait.barrier), so its WAIT covers every earlier change. */
  sync(): string {
    return `${this.tag}:sync`;
  }

  /** Redis run_id at the last revision bump. */
  runid(): string {
    return `${this.tag}:runid`;
  }

  /** The `<res>` part of a key: the qualified resource name. */
  resourceId(res: Pick<ResourceInfo, 'group' | 'resource'>): string {
    const id = qualifiedResource(res);
    if (!NAME_RE.test(id)) throw new Error(`invalid resource name for a store key: ${JSON.stringify(id)}`);
    return id;
  }

  /**
   * The index member (and object key suffix) of an object: "<ns>/<name>", ns "" for
   * cluster-scoped kinds. Throws 400 when the namespace or name is not key-safe.
   */
  member(res: Pick<ResourceInfo, 'namespaced'>, namespace: string, name: string): string {
    if (!isKeySafeName(name)) throw badRequest(`invalid object name for the store: ${JSON.stringify(name)}`);
    if (!res.namespaced) return `/${name}`;
    if (!isKeySafeName(namespace)) throw badRequest(`invalid namespace for the store: ${JSON.stringify(namespace)}`);
    return `${namespace}/${name}`;
  }

  /** Prefix of every object hash of a kind; `objectPrefix(res) + member` is the object key. */
  objectPrefix(res: ResourceInfo): string {
    return `${this.tag}:o:${this.resourceId(res)}:`;
  }

  /** The object hash of one object. */
  object(res: ResourceInfo, namespace: string, name: string): string {
    return this.objectPrefix(res) + this.member(res, namespace, name);
  }

  /**
   * What every index key of a kind starts with. An object's `ix` field lists its index keys
   * without it (a pod's ~10 keys each repeated the prefix: ~250 bytes of its ~3.5 KB at rest).
   */
  indexPrefix(res: ResourceInfo): string {
    return `${this.tag}:i:${this.resourceId(res)}:`;
  }

  /** Index of every object of a kind. */
  indexAll(res: ResourceInfo): string {
    return `${this.tag}:i:${this.resourceId(res)}:all`;
  }

  /** Index of the objects of a kind in one namespace. */
  indexNamespace(res: ResourceInfo, namespace: string): string {
    if (!isKeySafeName(namespace)) throw badRequest(`invalid namespace for the store: ${JSON.stringify(namespace)}`);
    return `${this.tag}:i:${this.resourceId(res)}:ns:${namespace}`;
  }

  /** Label equality index `key=value`. Label keys cannot contain "=", so the key is unambiguous. */
  indexLabel(res: ResourceInfo, key: string, value: string): string {
    return `${this.tag}:i:${this.resourceId(res)}:l:${key}=${value}`;
  }

  /** Field equality index `path=value` (value "" when the field is absent). */
  indexField(res: ResourceInfo, path: string, value: string): string {
    return `${this.tag}:i:${this.resourceId(res)}:f:${path}=${value}`;
  }

  /** Objects whose metadata.ownerReferences name this uid. */
  indexOwner(res: ResourceInfo, uid: string): string {
    return `${this.tag}:i:${this.resourceId(res)}:owner=${uid}`;
  }

  /** The kind's change log stream. */
  log(res: ResourceInfo): string {
    return `${this.tag}:log:${this.resourceId(res)}`;
  }

  /** The last revision appended to the kind's change log. */
  last(res: ResourceInfo): string {
    return `${this.tag}:last:${this.resourceId(res)}`;
  }

  /** When the kind's change log received which revisions: one mark per second (age trimming). */
  logMarks(res: ResourceInfo): string {
    return `${this.tag}:marks:${this.resourceId(res)}`;
  }

  /** A SCAN MATCH pattern covering every key of this prefix (glob characters escaped). */
  scanPattern(): string {
    return `${this.tag.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  }
}
