/**
 * Whether an Accept header asks for a Table (`kubectl get` sends
 * `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`).
 * True when any media range carries `as=Table` for group meta.k8s.io (or no group) and version v1,
 * v1beta1 or none; parameter names are case-insensitive, spaces are allowed.
 */
export function isTableRequest(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const params = new Map<string, string>();
    for (const p of range.split(';').slice(1)) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    const g = params.get('g');
    const v = params.get('v');
    return params.get('as') === 'Table' && (g === undefined || g === 'meta.k8s.io') && (v === undefined || v === 'v1' || v === 'v1beta1');
  });
}
