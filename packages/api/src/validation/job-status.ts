/**
 * Job `/status` write validation: `ValidateJobUpdateStatus` with the options the Kubernetes 1.32 job
 * strategy turns on (JobManagedBy beta). As upstream, most rules fire only when the fields they
 * look at changed, so a status that was already odd does not block unrelated updates.
 */
import { deepEqual, duplicate, index, invalid, OMIT, required, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { countIndexes, overlappingIndex } from './job-policies.js';
import { validateObjectMetaUpdate } from './object-meta.js';

interface JobView {
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  conditions: { type?: unknown; status?: unknown }[];
}

function view(job: Record<string, unknown>): JobView {
  const status = asRecord(job.status) ?? {};
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).map((c) => asRecord(c) ?? {});
  return { spec: asRecord(job.spec) ?? {}, status, conditions };
}

function isTrue(j: JobView, type: string): boolean {
  return j.conditions.some((c) => c.type === type && c.status === 'True');
}

const isComplete = (j: JobView) => isTrue(j, 'Complete');
const isFailed = (j: JobView) => isTrue(j, 'Failed');
const isFinished = (j: JobView) => isComplete(j) || isFailed(j);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const changed = (a: unknown, b: unknown): boolean => !deepEqual(a, b);

function uncountedCount(status: Record<string, unknown>): number {
  const u = asRecord(status.uncountedTerminatedPods) ?? {};
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return len(u.succeeded) + len(u.failed);
}

/** validateJobStatus: counters non-negative, uncounted pod uids unique and non-empty. */
function validateStatusFields(s: FieldReader, out: FieldCause[]): void {
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) {
    const v = s.int(f);
    if (v !== undefined) out.push(...validateNonnegative(v, s.at(f)));
  }
  const u = s.opt('uncountedTerminatedPods');
  if (!u) return;
  const seen = new Set<string>();
  for (const list of ['succeeded', 'failed']) {
    (u.stringList(list) ?? []).forEach((uid, i) => {
      const p = index(u.at(list), i);
      if (!uid) out.push(invalid(p, uid, 'must not be empty'));
      else if (seen.has(uid)) out.push(duplicate(p, uid));
      else seen.add(uid);
    });
  }
}

function validateConditionRules(j: JobView, o: JobView, out: FieldCause[]): void {
  const c = 'status.conditions';
  const completeChanged = isComplete(j) !== isComplete(o);
  if ((completeChanged || isFailed(j) !== isFailed(o)) && isComplete(j) && isFailed(j)) {
    out.push(invalid(c, OMIT, 'cannot set Complete=True and Failed=true conditions'));
  }
  if ((completeChanged || isTrue(j, 'FailureTarget') !== isTrue(o, 'FailureTarget')) && isComplete(j) && isTrue(j, 'FailureTarget')) {
    out.push(invalid(c, OMIT, 'cannot set Complete=True and FailureTarget=true conditions'));
  }
  const met = isTrue(j, 'SuccessCriteriaMet');
  if (met && isFailed(j)) out.push(invalid(c, OMIT, 'cannot set SuccessCriteriaMet=True and Failed=true conditions'));
  if (met && isTrue(j, 'FailureTarget')) out.push(invalid(c, OMIT, 'cannot set SuccessCriteriaMet=True and FailureTarget=true conditions'));
  if (j.spec.successPolicy != null && !met && isComplete(j)) {
    out.push(invalid(c, OMIT, 'cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True'));
  }
  for (const type of ['Failed', 'Complete', 'FailureTarget']) {
    if (isTrue(o, type) && !isTrue(j, type)) out.push(invalid(c, OMIT, `cannot disable the terminal ${type}=True condition`));
  }
  if (isTrue(o, 'SuccessCriteriaMet') && !met) out.push(invalid(c, OMIT, 'cannot disable the SuccessCriteriaMet=True condition'));
  if (isComplete(o) && !isTrue(o, 'SuccessCriteriaMet') && met) {
    out.push(invalid(c, OMIT, 'cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions'));
  }
}

function validateTimes(j: JobView, o: JobView, out: FieldCause[]): void {
  const { status: s } = j;
  const startChanged = changed(s.startTime, o.status.startTime);
  const completionChanged = changed(s.completionTime, o.status.completionTime);
  const completeChanged = isComplete(j) !== isComplete(o);
  if ((completeChanged || completionChanged) && s.completionTime != null && !isComplete(j)) {
    out.push(invalid('status.completionTime', s.completionTime, 'cannot set completionTime when there is no Complete=True condition'));
  }
  if ((completeChanged || completionChanged) && s.completionTime == null && isComplete(j)) {
    out.push(required('status.completionTime', 'completionTime is required for Complete jobs'));
  }
  if ((startChanged || completionChanged) && typeof s.startTime === 'string' && typeof s.completionTime === 'string' && Date.parse(s.completionTime) < Date.parse(s.startTime)) {
    out.push(invalid('status.completionTime', s.completionTime, 'completionTime cannot be set before startTime'));
  }
  if (s.completionTime != null && o.status.completionTime != null && completionChanged) {
    out.push(invalid('status.completionTime', s.completionTime, 'completionTime cannot be mutated'));
  }
  // A Job resumed after it ran (the stored status still says Suspended=True) gets a new startTime:
  // the fix of kubernetes#134521, cherry-picked to 1.32 (before it, such a Job could never be resumed).
  if (o.status.startTime != null && startChanged && j.spec.suspend !== true && !isTrue(o, 'Suspended')) {
    out.push(required('status.startTime', 'startTime cannot be removed for unsuspended job'));
  }
  if ((isFinished(j) !== isFinished(o) || startChanged) && s.startTime == null && isFinished(j)) {
    const suspendedZero = j.spec.suspend === true && j.spec.completions === 0;
    if (!suspendedZero) out.push(required('status.startTime', 'startTime is required for finished job'));
  }
}

function validateCounters(j: JobView, o: JobView, out: FieldCause[]): void {
  const { status: s } = j;
  const finishedChanged = isFinished(j) !== isFinished(o);
  const activeChanged = num(s.active) !== num(o.status.active);
  if ((finishedChanged || activeChanged) && num(s.active) > 0 && isFinished(j)) {
    out.push(invalid('status.active', num(s.active), 'active>0 is invalid for finished job'));
  }
  if ((finishedChanged || changed(s.terminating, o.status.terminating)) && num(s.terminating) > 0 && isFinished(j)) {
    out.push(invalid('status.terminating', s.terminating, 'terminating>0 is invalid for finished job'));
  }
  if ((finishedChanged || changed(s.uncountedTerminatedPods, o.status.uncountedTerminatedPods)) && isFinished(j) && uncountedCount(s) > 0) {
    out.push(invalid('status.uncountedTerminatedPods', s.uncountedTerminatedPods, 'uncountedTerminatedPods needs to be empty for finished job'));
  }
  if ((changed(s.ready, o.status.ready) || activeChanged) && typeof s.ready === 'number' && s.ready > num(s.active)) {
    out.push(invalid('status.ready', s.ready, 'cannot set more ready pods than active'));
  }
  if (num(s.failed) < num(o.status.failed)) out.push(invalid('status.failed', num(s.failed), 'cannot decrease the failed counter'));
  const elastic = j.spec.completionMode === 'Indexed' && deepEqual(j.spec.completions, j.spec.parallelism);
  if (!elastic && num(s.succeeded) < num(o.status.succeeded)) {
    out.push(invalid('status.succeeded', num(s.succeeded), 'cannot decrease the succeeded counter'));
  }
}

function validateIndexes(j: JobView, o: JobView, out: FieldCause[]): void {
  const { status: s, spec } = j;
  const completedChanged = (s.completedIndexes ?? '') !== (o.status.completedIndexes ?? '');
  const failedChanged = changed(s.failedIndexes, o.status.failedIndexes);
  const completed = typeof s.completedIndexes === 'string' ? s.completedIndexes : '';
  const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
  const indexed = spec.completionMode === 'Indexed';
  if (completedChanged && completions !== undefined) {
    try {
      countIndexes(completed, completions);
    } catch (e) {
      out.push(invalid('status.completedIndexes', completed, `error parsing completedIndexes: ${(e as Error).message}`));
    }
  }
  if (failedChanged && completions !== undefined && spec.backoffLimitPerIndex != null && typeof s.failedIndexes === 'string') {
    try {
      countIndexes(s.failedIndexes, completions);
    } catch (e) {
      out.push(invalid('status.failedIndexes', s.failedIndexes, `error parsing failedIndexes: ${(e as Error).message}`));
    }
  }
  if (completedChanged && completed && !indexed) {
    out.push(invalid('status.completedIndexes', completed, 'cannot set non-empty completedIndexes when non-indexed completion mode'));
  }
  if (failedChanged && spec.backoffLimitPerIndex == null && s.failedIndexes != null) {
    out.push(invalid('status.failedIndexes', s.failedIndexes, 'cannot set non-null failedIndexes when backoffLimitPerIndex is null'));
  }
  if ((failedChanged || completedChanged) && completions !== undefined && typeof s.failedIndexes === 'string') {
    const at = overlappingIndex(completed, s.failedIndexes, completions);
    if (at !== undefined) out.push(invalid('status.failedIndexes', s.failedIndexes, `failedIndexes and completedIndexes overlap at index: ${at}`));
  }
}

/**
 * A Job `/status` write: the metadata rules of an update plus the status invariants — counters
 * never decrease, Complete and Failed are never both True, terminal conditions stay, completionTime
 * only on Complete jobs and never changed, ready ≤ active, a finished job has no active,
 * terminating or uncounted pods, failed and completed indexes are well formed and disjoint.
 */
export function validateJobStatusUpdate(job: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(job.metadata, old.metadata);
  validateStatusFields(FieldReader.of(job.status, 'status', out), out);
  const o = view(old);
  // A status write never changes the spec (the api-server keeps the stored one), so spec-dependent
  // rules read the stored spec.
  const j = { ...view(job), spec: o.spec };
  validateConditionRules(j, o, out);
  validateTimes(j, o, out);
  validateCounters(j, o, out);
  validateIndexes(j, o, out);
  return out;
}
