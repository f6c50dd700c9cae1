import { badRequest, findResource, type ResourceInfo } from '@kjobs/api';

/** A parsed Kubernetes resource URL. */
export interface ResourceRoute {
  res: ResourceInfo;
  namespace: string;
  name?: string;
  subresource?: string;
}

/**
 * Parse `/api/v1/...` and `/apis/<group>/<version>/...` resource paths (namespaced and cluster
 * scoped, with name and subresource). Returns undefined for anything else (→ 404); a segment
 * with a malformed %-escape is a 400.
 */
export function parseResourcePath(path: string): ResourceRoute | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeSegment);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    if (parts[2] !== 'v1') return undefined;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace = '';
  // /namespaces/<ns>/<resource>... (but /namespaces/<name>[/status|finalize] is the Namespace itself)
  if (rest[0] === 'namespaces' && rest.length >= 3 && group === '' && !['status', 'finalize'].includes(rest[2]!)) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length >= 3 && group !== '') {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length) return undefined;
  const res = findResource(group, resource);
  if (!res) return undefined;
  if (namespace && !res.namespaced) return undefined;
  if (subresource && !res.subresources.includes(subresource)) return undefined;
  return { res, namespace, name, subresource };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in path segment ${JSON.stringify(segment.slice(0, 100))}`);
  }
}
