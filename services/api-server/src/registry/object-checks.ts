import { badRequest, groupVersion, type KObject, type ResourceInfo, type Status } from '@kjobs/api';
import { clone } from '../object-meta.js';

/** The namespace a request on `res` means: its own for a namespaced kind, "" for a cluster-scoped one. */
export function scopeNs(res: ResourceInfo, ns: string | undefined): string {
  return res.namespaced ? ns ?? '' : '';
}

/** Body must be a JSON object of this kind (kind/apiVersion filled in when absent); returns a copy. */
export function checkBody(res: ResourceInfo, body: unknown): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const o = clone(body) as KObject;
  const gv = groupVersion(res);
  if (o.apiVersion !== undefined && o.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (o.kind !== undefined && o.kind !== res.kind) {
    throw badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${res.kind})`);
  }
  o.apiVersion = gv;
  o.kind = res.kind;
  if (o.metadata === undefined || o.metadata === null) o.metadata = {};
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) throw badRequest('metadata must be an object');
  return o;
}

/** Every top-level field but apiVersion, kind, metadata and status (not copied: for comparison only). */
export function specOf(o: KObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  void _m; void _s; void _a; void _k;
  return rest;
}

/** An object as a list item: apiVersion and kind set. */
export function withKind(res: ResourceInfo, o: KObject): KObject {
  return { ...o, apiVersion: groupVersion(res), kind: res.kind };
}

/** The Status of a DELETE that removed the object. */
export function successStatus(res: ResourceInfo, name: string, uid?: string): Status {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200,
    details: { name, group: res.group, kind: res.resource, ...(uid ? { uid } : {}) },
  };
}

/** The resourceVersion a patch names (a JSON patch names none); undefined when absent. */
export function patchedRv(mediaType: string, patch: unknown): string | undefined {
  if (mediaType === 'application/json-patch+json') return undefined;
  const rv = (patch as { metadata?: { resourceVersion?: unknown } })?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv ? rv : undefined;
}
