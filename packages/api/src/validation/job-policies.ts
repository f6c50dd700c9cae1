/**
 * Job policy rules of batch validation (Kubernetes 1.32): podFailurePolicy, successPolicy,
 * podReplacementPolicy, and the `"1,3-5,7"` index-interval format used by successPolicy and status.
 */
import { duplicate, index, invalid, notSupported, OMIT, required, tooLong, tooMany, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { qualifiedNameErrors } from './names.js';

const PFP_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const PFP_OPERATORS = ['In', 'NotIn'];
const PFP_STATUSES = ['False', 'True', 'Unknown'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

/** Go's `%q` of a string slice: `["a" "b"]`. */
function quotedList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** One parsed interval `x` or `x-y`; throws Kubernetes' error text. */
export function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split('-');
  if (limits.length > 2) throw new Error(`the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`);
  const toInt = (s: string): number => {
    if (!/^[+-]?\d+$/.test(s)) throw new Error(`cannot convert string to integer for index: ${JSON.stringify(s)}`);
    const n = Number(s);
    if (n >= completions) throw new Error(`too large index: ${JSON.stringify(s)}`);
    return n;
  };
  const x = toInt(limits[0]!);
  if (limits.length === 1) return [x, x];
  const y = toInt(limits[1]!);
  if (x >= y) throw new Error(`non-increasing order, previous: ${x}, current: ${y}`);
  return [x, y];
}

/** validateIndexesFormat: the number of indexes in `s`, or throws Kubernetes' error text. */
export function countIndexes(s: string, completions: number): number {
  if (!s) return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of s.split(',')) {
    const [x, y] = parseIndexInterval(interval, completions);
    if (last !== undefined && last >= x) throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

/** The first index present in both interval lists, or undefined (unparseable intervals are skipped). */
export function overlappingIndex(completed: string, failed: string, completions: number): number | undefined {
  if (!completed || !failed) return undefined;
  const parse = (list: string): [number, number][] =>
    list.split(',').flatMap((iv) => {
      try {
        return [parseIndexInterval(iv, completions)];
      } catch {
        return [];
      }
    });
  const c = parse(completed);
  const f = parse(failed);
  let i = 0;
  let j = 0;
  while (i < c.length && j < f.length) {
    const [cx, cy] = c[i]!;
    const [fx, fy] = f[j]!;
    if (cx <= fy && fx <= cy) return Math.max(cx, fx);
    if (cx <= fx) i++;
    else j++;
  }
  return undefined;
}

function validateOnExitCodes(r: FieldReader, containerNames: Set<string>, out: FieldCause[]): void {
  const operator = r.str('operator') ?? '';
  if (!operator) out.push(required(r.at('operator'), `valid values: ${quotedList(PFP_OPERATORS)}`));
  else if (!PFP_OPERATORS.includes(operator)) out.push(notSupported(r.at('operator'), operator, PFP_OPERATORS));
  const containerName = r.str('containerName');
  if (containerName !== undefined && !containerNames.has(containerName)) {
    out.push(invalid(r.at('containerName'), containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const raw = r.list('values');
  const values = (raw ?? []).filter((v): v is number => typeof v === 'number');
  if (values.length === 0) out.push(invalid(r.at('values'), raw ?? null, 'at least one value is required'));
  else if (values.length > 255) out.push(tooMany(r.at('values'), values.length, 255));
  const seen = new Set<number>();
  let ordered = true;
  values.forEach((v, j) => {
    if (operator === 'In' && v === 0) out.push(invalid(index(r.at('values'), j), v, 'must not be 0 for the In operator'));
    if (seen.has(v)) out.push(duplicate(index(r.at('values'), j), v));
    else seen.add(v);
    if (j > 0 && values[j - 1]! > v) ordered = false;
  });
  if (!ordered) out.push(invalid(r.at('values'), values, 'must be ordered'));
}

function validateOnPodConditions(list: unknown[], path: string, out: FieldCause[]): void {
  if (list.length > 20) out.push(tooMany(path, list.length, 20));
  list.forEach((raw, j) => {
    const p = FieldReader.of(raw, index(path, j), out);
    const type = p.str('type') ?? '';
    for (const m of qualifiedNameErrors(type)) out.push(invalid(p.at('type'), type, m));
    const status = p.str('status') ?? '';
    if (!status) out.push(required(p.at('status'), `valid values: ${quotedList(PFP_STATUSES)}`));
    else if (!PFP_STATUSES.includes(status)) out.push(notSupported(p.at('status'), status, PFP_STATUSES));
  });
}

/** podFailurePolicy: ≤ 20 rules, each an action with exactly one of onExitCodes / onPodConditions. */
export function validatePodFailurePolicy(spec: FieldReader, policy: FieldReader, out: FieldCause[]): void {
  const rules = policy.list('rules') ?? [];
  const rulesPath = policy.at('rules');
  if (rules.length > 20) out.push(tooMany(rulesPath, rules.length, 20));
  const podSpec = asRecord(asRecord(spec.obj.template)?.spec) ?? {};
  const containerNames = new Set<string>();
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    for (const c of Array.isArray(list) ? list : []) {
      const name = asRecord(c)?.name;
      if (typeof name === 'string') containerNames.add(name);
    }
  }
  rules.forEach((raw, i) => {
    const r = FieldReader.of(raw, index(rulesPath, i), out);
    const action = r.str('action') ?? '';
    if (!action) out.push(required(r.at('action'), `valid values: ${quotedList(PFP_ACTIONS)}`));
    else if (action === 'FailIndex') {
      if (!spec.has('backoffLimitPerIndex')) out.push(invalid(r.at('action'), action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!PFP_ACTIONS.includes(action)) out.push(notSupported(r.at('action'), action, PFP_ACTIONS));
    const onExitCodes = r.opt('onExitCodes');
    if (onExitCodes) validateOnExitCodes(onExitCodes, containerNames, out);
    const onPodConditions = r.list('onPodConditions') ?? [];
    if (onPodConditions.length > 0) validateOnPodConditions(onPodConditions, r.at('onPodConditions'), out);
    if (onExitCodes && onPodConditions.length > 0) out.push(invalid(r.path, OMIT, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!r.has('onExitCodes') && onPodConditions.length === 0) out.push(invalid(r.path, OMIT, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
}

/** successPolicy (Indexed jobs): 1..20 rules, each with succeededIndexes and/or succeededCount. */
export function validateSuccessPolicy(completions: number | undefined, policy: FieldReader, out: FieldCause[]): void {
  const rules = policy.list('rules') ?? [];
  const rulesPath = policy.at('rules');
  if (rules.length === 0) out.push(required(rulesPath, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > 20) out.push(tooMany(rulesPath, rules.length, 20));
  rules.forEach((raw, i) => {
    const r = FieldReader.of(raw, index(rulesPath, i), out);
    const indexes = r.str('succeededIndexes');
    const count = r.int('succeededCount');
    if (indexes === undefined && count === undefined) out.push(required(r.path, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total: number | undefined;
    if (indexes !== undefined) {
      if (indexes.length > 64 * 1024) out.push(tooLong(r.at('succeededIndexes'), 64 * 1024));
      // Without completions (already reported as Required) there is nothing to check indexes against.
      if (completions !== undefined) {
        try {
          total = countIndexes(indexes, completions);
        } catch (e) {
          total = 0;
          out.push(invalid(r.at('succeededIndexes'), indexes, `error parsing succeededIndexes: ${(e as Error).message}`));
        }
      }
    }
    if (count !== undefined) {
      out.push(...validateNonnegative(count, r.at('succeededCount')));
      if (completions !== undefined && count > completions) {
        out.push(invalid(r.at('succeededCount'), count, `must be less than or equal to ${completions} (the number of specified completions)`));
      }
      if (total !== undefined && count > total) {
        out.push(invalid(r.at('succeededCount'), count, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
}

/** podReplacementPolicy: TerminatingOrFailed or Failed; only Failed together with a podFailurePolicy. */
export function validatePodReplacementPolicy(spec: FieldReader, out: FieldCause[]): void {
  const policy = spec.str('podReplacementPolicy');
  if (policy === undefined) return;
  if (spec.has('podFailurePolicy')) {
    if (policy !== 'Failed') out.push(notSupported(spec.at('podReplacementPolicy'), policy, ['Failed']));
  } else if (!REPLACEMENT_POLICIES.includes(policy)) {
    out.push(notSupported(spec.at('podReplacementPolicy'), policy, REPLACEMENT_POLICIES));
  }
}
