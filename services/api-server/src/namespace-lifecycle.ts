import { ApiError, mustResourceForKind, type ResourceInfo } from '@kjobs/api';
import type { Store } from '@kjobs/store';

const NAMESPACES = mustResourceForKind('Namespace');

/** How long a namespace read active is trusted by creates in it. */
const NAMESPACE_CACHE_MS = 1_000;

/**
 * The NamespaceLifecycle admission plugin: creates need an existing namespace that is not
 * terminating. A namespace found active is trusted for a second (kube-apiserver reads an informer
 * cache here, which lags too); every create paid a store read before. Any write to namespaces
 * drops what it trusted.
 */
export class NamespaceLifecycle {
  /** Namespace → when it was last read active. */
  private readonly active = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** Throws 404 for a missing namespace, 403 for a terminating one. */
  async admitCreate(ns: string): Promise<void> {
    const seen = this.active.get(ns);
    const now = Date.now();
    if (seen !== undefined && now - seen < NAMESPACE_CACHE_MS) return;
    const o = await this.store.get(NAMESPACES, '', ns);
    if (!o) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (o.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`, { name: ns, kind: 'namespaces' });
    }
    if (this.active.size >= 10_000) this.active.clear();
    this.active.set(ns, now);
  }

  /** A write (not a dry run) to `res` named `name` (every namespace when absent) is about to happen. */
  forget(res: ResourceInfo, name?: string): void {
    if (res.group !== NAMESPACES.group || res.resource !== NAMESPACES.resource) return;
    if (name === undefined) this.active.clear();
    else this.active.delete(name);
  }
}
