import type { KObject } from '@kjobs/api';

/**
 * The stored body of an object: its JSON without `metadata.resourceVersion` (the revision is only
 * known inside the write, so it is injected on read), starting with apiVersion, kind and metadata
 * whatever order the caller's keys had (as Kubernetes answers them), so a server can splice the
 * revision into a listed body without decoding it. The caller's object is not mutated.
 */
export function encodeBody(obj: KObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, metadata, ...rest });
}

/** A fresh object from its stored body, with `metadata.resourceVersion` set to `rv`. */
export function decodeObject(body: string, rv: string): KObject {
  const obj = JSON.parse(body) as KObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: rv };
  return obj;
}

/** The namespace an object is stored under: "" for cluster-scoped kinds. */
export function storedNamespace(res: { namespaced: boolean }, obj: KObject): string {
  return res.namespaced ? (obj.metadata.namespace ?? '') : '';
}

/** The expected revision of an update: the explicit option, else the object's non-empty one. */
export function expectedRevision(obj: KObject, expectedRv: string | undefined): string {
  return expectedRv ?? obj.metadata.resourceVersion ?? '';
}
