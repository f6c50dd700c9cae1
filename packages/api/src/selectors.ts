import { badRequest } from './errors.js';
import type { KObject, LabelSelector } from './types.js';

/** One parsed label-selector term (Kubernetes labels.Requirement). */
export interface LabelRequirement {
  key: string;
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

/** One parsed field-selector term. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/**
 * Parse a label selector string as kubectl sends it: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
 * Throws 400 BadRequest with Kubernetes' wording on bad input.
 */
export function parseLabelSelector(input: string | undefined | null): LabelRequirement[] {
  const s = (input ?? '').trim();
  if (!s) return [];
  const out: LabelRequirement[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`);
  };
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const readToken = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,()=!]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipWs();
    let neg = false;
    if (s[i] === '!') {
      neg = true;
      i++;
    }
    const key = readToken();
    if (!key) fail(`found '${s[i] ?? ''}', expected: identifier`);
    validateLabelKeyForSelector(key);
    skipWs();
    if (neg) {
      out.push({ key, operator: '!', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      out.push({ key, operator: 'exists', values: [] });
    } else if (s.startsWith('==', i) || s.startsWith('!=', i) || s[i] === '=') {
      const op = s.startsWith('!=', i) ? '!=' : '=';
      i += s.startsWith('==', i) || s.startsWith('!=', i) ? 2 : 1;
      const value = readToken();
      validateLabelValueForSelector(value);
      out.push({ key, operator: op, values: [value] });
    } else {
      const word = readToken();
      if (word !== 'in' && word !== 'notin') fail(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
      skipWs();
      if (s[i] !== '(') fail(`found '${s[i] ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        const v = readToken();
        validateLabelValueForSelector(v);
        if (v) values.push(v);
        skipWs();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        fail(`found '${s[i] ?? ''}', expected: ',' or ')'`);
      }
      out.push({ key, operator: word as 'in' | 'notin', values });
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ',') fail(`found '${s[i]}', expected: ','`);
      i++;
    }
  }
  return out;
}

function validateLabelKeyForSelector(key: string): void {
  if (key.length > 317 || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}
function validateLabelValueForSelector(v: string): void {
  if (v.length > 63 || (v !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v))) {
    throw badRequest(`unable to parse requirement: invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

/** Parse a field selector: `metadata.name=x,spec.nodeName!=y` (`==` accepted). */
export function parseFieldSelector(input: string | undefined | null, allowed?: readonly string[]): FieldRequirement[] {
  const s = (input ?? '').trim();
  if (!s) return [];
  return s.split(',').map((term) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const field = m[1]!;
    if (allowed && !['metadata.name', 'metadata.namespace', ...allowed].includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, operator: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

/** Turn a metav1.LabelSelector (matchLabels + matchExpressions) into requirements. */
export function labelSelectorToRequirements(sel: LabelSelector | undefined): LabelRequirement[] {
  if (!sel) return [];
  const out: LabelRequirement[] = [];
  for (const [key, v] of Object.entries(sel.matchLabels ?? {})) out.push({ key, operator: '=', values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator] as LabelRequirement['operator'];
    out.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return out;
}

/** Render requirements back to the string form (`a=b,c in (x,y)`). */
export function formatLabelSelector(reqs: LabelRequirement[]): string {
  return reqs
    .map((r) => {
      switch (r.operator) {
        case '=': return `${r.key}=${r.values[0] ?? ''}`;
        case '!=': return `${r.key}!=${r.values[0] ?? ''}`;
        case 'in': return `${r.key} in (${r.values.join(',')})`;
        case 'notin': return `${r.key} notin (${r.values.join(',')})`;
        case 'exists': return r.key;
        case '!': return `!${r.key}`;
      }
    })
    .join(',');
}

/** Whether labels satisfy every requirement. An empty list matches everything. */
export function matchesLabels(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case '=': if (!has || v !== r.values[0]) return false; break;
      case '!=': if (has && v === r.values[0]) return false; break;
      case 'in': if (!has || !r.values.includes(v!)) return false; break;
      case 'notin': if (has && r.values.includes(v!)) return false; break;
      case 'exists': if (!has) return false; break;
      case '!': if (has) return false; break;
    }
  }
  return true;
}

/** Read a dotted field path ("spec.nodeName", "involvedObject.uid") as a string ("" when absent). */
export function fieldValue(obj: KObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

/** Whether an object satisfies every field requirement. */
export function matchesFields(reqs: readonly FieldRequirement[], obj: KObject): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field);
    if (r.operator === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
