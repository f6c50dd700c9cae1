/**
 * The key of an object in caches and work queues, as client-go's `MetaNamespaceKeyFunc` makes it:
 * `namespace/name`, or `name` for a cluster-scoped object. Names hold no `/`, so the two forms
 * never collide. The one key function of kjobs (informers, watch caches, the dashboard).
 */
export function objectKey(o: { metadata: { namespace?: string; name?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata.name ?? '');
}
