/**
 * metav1.LabelSelector validation (`ValidateLabelSelector`) and the `LabelSelectorAsSelector`
 * match used by "`selector` does not match template `labels`".
 */
import { labelSelectorToRequirements, matchesLabels } from '../selectors.js';
import type { LabelSelector } from '../types.js';
import { forbidden, index, invalid, required, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { labelValueErrors, qualifiedNameErrors } from './names.js';
import { validateLabels } from './object-meta.js';

/** matchLabels as labels; each matchExpressions entry has a known operator, a key and fitting values. */
export function validateLabelSelector(sel: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (sel == null) return out;
  const s = FieldReader.of(sel, path, out);
  out.push(...validateLabels(s.stringMap('matchLabels'), s.at('matchLabels')));
  for (const [i, raw] of (s.list('matchExpressions') ?? []).entries()) {
    const e = FieldReader.of(raw, index(s.at('matchExpressions'), i), out);
    const operator = e.str('operator') ?? '';
    const values = e.stringList('values') ?? [];
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) out.push(required(e.at('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0) out.push(forbidden(e.at('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push(invalid(e.at('operator'), operator, 'not a valid selector operator'));
    }
    const k = e.str('key') ?? '';
    for (const msg of qualifiedNameErrors(k)) out.push(invalid(e.at('key'), k, msg));
    values.forEach((v, j) => {
      for (const msg of labelValueErrors(v)) out.push(invalid(index(e.at('values'), j), v, msg));
    });
  }
  return out;
}

/**
 * Whether `labels` satisfy `sel` as Kubernetes' `LabelSelectorAsSelector` would: a missing selector
 * matches nothing, an empty one matches everything. Undefined when the selector does not convert
 * (it is invalid; the caller reports that instead of a mismatch).
 */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean | undefined {
  if (sel == null) return false;
  if (!asRecord(sel) || validateLabelSelector(sel, 'selector').length > 0) return undefined;
  return matchesLabels(labelSelectorToRequirements(sel as LabelSelector), labels);
}

/** True when the selector has neither matchLabels nor matchExpressions. */
export function isEmptySelector(sel: unknown): boolean {
  const s = asRecord(sel);
  if (!s) return true;
  const ml = asRecord(s.matchLabels);
  const me = Array.isArray(s.matchExpressions) ? s.matchExpressions : [];
  return (!ml || Object.keys(ml).length === 0) && me.length === 0;
}
