/** The narrow interface the garbage collector writes through, and its implementation over the API. */
import { isApiError, type KObject, type OwnerReference } from '@kjobs/api';
import type { ApiClient } from '@kjobs/client';
import type { PropagationPolicy } from './decide-dependent.js';

/** The GC's writes. An object already gone is success; other API failures throw ApiError. */
export interface GcControl {
  /** Merge-patch the object's ownerReferences to `refs` (none: the field removed). */
  setOwnerReferences(kind: string, obj: KObject, refs: OwnerReference[]): Promise<void>;
  /** DELETE the object with a uid precondition (a Conflict — another object by that name — is success too). */
  deleteObject(kind: string, obj: KObject, propagationPolicy: PropagationPolicy): Promise<void>;
  /** Merge-patch the object's finalizers to `finalizers`, at the resourceVersion read. */
  setFinalizers(kind: string, obj: KObject, finalizers: string[]): Promise<void>;
}

const ignore = (...codes: number[]) => (e: unknown) => {
  if (!codes.some((c) => isApiError(e, c))) throw e;
};

/** The GC control over the API (`client`). */
export function apiGcControl(client: ApiClient): GcControl {
  const ns = (o: KObject) => o.metadata.namespace ?? '';
  return {
    setOwnerReferences: async (kind, o, refs) => {
      await client.patch(kind, ns(o), o.metadata.name!, 'merge', { metadata: { ownerReferences: refs.length ? refs : null } }).catch(ignore(404));
    },
    deleteObject: async (kind, o, propagationPolicy) => {
      await client.delete(kind, ns(o), o.metadata.name!, { propagationPolicy, preconditions: { uid: o.metadata.uid } }).catch(ignore(404, 409));
    },
    setFinalizers: async (kind, o, finalizers) => {
      const metadata = { finalizers: finalizers.length ? finalizers : null, resourceVersion: o.metadata.resourceVersion };
      await client.patch(kind, ns(o), o.metadata.name!, 'merge', { metadata }).catch(ignore(404));
    },
  };
}
