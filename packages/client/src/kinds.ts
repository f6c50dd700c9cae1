import { ApiError, resourceForKind, type ResourceInfo } from '@kjobs/api';

/** The resource of a kind or a 404 ApiError (a client asked for something kjobs does not serve). */
export function resourceOf(kind: string): ResourceInfo {
  const info = resourceForKind(kind);
  if (!info) throw new ApiError(404, 'NotFound', `the server doesn't have a resource type for kind "${kind}"`);
  return info;
}

/** Query string from defined values. */
export function queryString(q: Record<string, string | number | boolean | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** REST path of a resource collection or object. */
export function restPath(info: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
