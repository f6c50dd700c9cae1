import { labelSelectorToRequirements, formatLabelSelector } from '../selectors.js';
import type { Container, LabelSelector } from '../types.js';

/** Container names and images, comma-joined (printers.go layoutContainerCells). */
export function layoutContainerCells(containers: readonly Container[] | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return { names: list.map((c) => c.name ?? '').join(','), images: list.map((c) => c.image ?? '').join(',') };
}

/**
 * A label selector as metav1.FormatLabelSelector prints it: requirements sorted by key, set values
 * sorted, `<none>` when empty or absent.
 */
export function formatSelectorCell(selector: LabelSelector | undefined | null): string {
  const reqs = labelSelectorToRequirements(selector ?? undefined)
    .map((r) => ({ ...r, values: [...r.values].sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return formatLabelSelector(reqs) || '<none>';
}

/** A label map as labels.FormatLabels prints it: `k=v` sorted by key, `<none>` when empty. */
export function formatLabelsCell(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

/** printers.go printBoolPtr: "True", "False" or "<unset>". */
export function formatBoolPtr(v: boolean | undefined | null): string {
  return v === undefined || v === null ? '<unset>' : v ? 'True' : 'False';
}
