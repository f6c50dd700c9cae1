import type { LabelSelector } from '@kjobs/api';

/**
 * A metav1.LabelSelector as `LabelSelectorAsSelector(sel).String()` prints it: requirements
 * sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`; "" for an empty selector.
 * This string is also what the CLI sends as `labelSelector` to find a Job's or ReplicaSet's pods.
 */
export function selectorString(sel: LabelSelector | undefined | null): string {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const text = e.operator === 'In' ? `${e.key} in (${values})`
      : e.operator === 'NotIn' ? `${e.key} notin (${values})`
      : e.operator === 'Exists' ? e.key
      : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.text).join(',');
}

/** A Service's `spec.selector` map as a label selector string ("" when empty). */
export function mapSelectorString(sel: Record<string, string> | undefined): string {
  return selectorString({ matchLabels: sel ?? {} });
}
