/**
 * batch/v1 Job validation (Kubernetes 1.32 `ValidateJob`, `ValidateJobSpec`, `ValidateJobUpdate`,
 * `ValidateJobTemplateSpec`), run on the object after defaulting and selector generation.
 */
import { deepEqual, invalid, notSupported, required, tooLong, validateImmutable, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { dns1123LabelErrors, domainPrefixedPathErrors, nameIsDNSSubdomain } from './names.js';
import { validateHasLabel, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { selectorMatches, validateLabelSelector } from './label-selector.js';
import { validatePodFailurePolicy, validatePodReplacementPolicy, validateSuccessPolicy } from './job-policies.js';
import { validatePodTemplateSpec } from './pod-spec.js';

const MAX_INDEXED_PARALLELISM = 100_000;
const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const HIGH_COMPLETIONS_LIMIT = 10_000;

/** Options Kubernetes derives from the old object on update. */
export interface JobValidationOptions {
  /** Template must carry the `batch.kubernetes.io/` labels too (new jobs, or old ones that had them). */
  requirePrefixedLabels: boolean;
  /** Suspended jobs that never started may change scheduling directives of the template. */
  allowMutableSchedulingDirectives: boolean;
}

function templateLabels(spec: FieldReader): Record<string, string> | undefined {
  const labels = asRecord(asRecord(asRecord(spec.obj.template)?.metadata)?.labels);
  return labels as Record<string, string> | undefined;
}

function validateCompletionMode(s: FieldReader, out: FieldCause[]): void {
  const mode = s.str('completionMode');
  const completions = s.int('completions');
  const parallelism = s.int('parallelism');
  const perIndex = s.int('backoffLimitPerIndex');
  const maxFailed = s.int('maxFailedIndexes');
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    out.push(notSupported(s.at('completionMode'), mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed') {
    if (completions === undefined) out.push(required(s.at('completions'), 'when completion mode is Indexed'));
    if (parallelism !== undefined && parallelism > MAX_INDEXED_PARALLELISM) {
      out.push(invalid(s.at('parallelism'), parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`));
    }
    if (completions !== undefined && maxFailed !== undefined && maxFailed > completions) {
      out.push(invalid(s.at('maxFailedIndexes'), maxFailed, 'must be less than or equal to completions'));
    }
    if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES) {
      out.push(invalid(s.at('maxFailedIndexes'), maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES}`));
    }
    if (completions !== undefined && completions > COMPLETIONS_SOFT_LIMIT && perIndex !== undefined) {
      const why = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
      if (maxFailed === undefined) out.push(required(s.at('maxFailedIndexes'), `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
      if (parallelism !== undefined && parallelism > HIGH_COMPLETIONS_LIMIT) out.push(invalid(s.at('parallelism'), parallelism, `must be less than or equal to ${HIGH_COMPLETIONS_LIMIT} ${why}`));
      if (maxFailed !== undefined && maxFailed > HIGH_COMPLETIONS_LIMIT) out.push(invalid(s.at('maxFailedIndexes'), maxFailed, `must be less than or equal to ${HIGH_COMPLETIONS_LIMIT} ${why}`));
    }
  }
  if (mode === undefined || mode === 'NonIndexed') {
    if (perIndex !== undefined) out.push(invalid(s.at('backoffLimitPerIndex'), perIndex, 'requires indexed completion mode'));
    if (maxFailed !== undefined) out.push(invalid(s.at('maxFailedIndexes'), maxFailed, 'requires indexed completion mode'));
  }
}

function validateRestartPolicy(s: FieldReader, out: FieldCause[]): void {
  const policy = asRecord(asRecord(s.obj.template)?.spec)?.restartPolicy ?? '';
  const field = `${s.at('template')}.spec.restartPolicy`;
  if (policy === 'Always' || policy === '') out.push(required(field, 'valid values: "OnFailure", "Never"'));
  else if (policy !== 'OnFailure' && policy !== 'Never') out.push(notSupported(field, policy, ['OnFailure', 'Never']));
  else if (s.has('podFailurePolicy') && policy !== 'Never') out.push(invalid(field, policy, 'only "Never" is supported when podFailurePolicy is specified'));
}

/** validateJobSpec (lower case): every JobSpec field except the selector. */
function validateJobSpecFields(raw: unknown, path: string, out: FieldCause[]): FieldReader {
  const s = FieldReader.of(raw, path, out);
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    const v = s.int(f);
    if (v !== undefined) out.push(...validateNonnegative(v, s.at(f)));
  }
  if (s.has('maxFailedIndexes') && !s.has('backoffLimitPerIndex')) out.push(required(s.at('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  const managedBy = s.str('managedBy');
  if (managedBy !== undefined) {
    if (!managedBy) out.push(required(s.at('managedBy'), ''));
    else for (const e of domainPrefixedPathErrors(managedBy)) out.push(invalid(s.at('managedBy'), e.value, e.message));
    if (managedBy.length > 63) out.push(tooLong(s.at('managedBy'), 63));
  }
  validateCompletionMode(s, out);
  const pfp = s.opt('podFailurePolicy');
  if (pfp) validatePodFailurePolicy(s, pfp, out);
  const sp = s.opt('successPolicy');
  if (sp) {
    if (s.str('completionMode') !== 'Indexed') out.push(invalid(sp.path, sp.obj, 'requires indexed completion mode'));
    else validateSuccessPolicy(s.int('completions'), sp, out);
  }
  validatePodReplacementPolicy(s, out);
  s.bool('suspend');
  s.bool('manualSelector');
  validatePodTemplateSpec(s.obj.template, s.at('template'), out);
  validateRestartPolicy(s, out);
  return s;
}

/** ValidateJobSpec: the fields plus a selector that is present, valid and matches the template. */
export function validateJobSpec(raw: unknown, path: string, out: FieldCause[]): void {
  const s = validateJobSpecFields(raw, path, out);
  const selector = s.obj.selector;
  if (selector == null) out.push(required(s.at('selector'), ''));
  else out.push(...validateLabelSelector(selector, s.at('selector')));
  const labels = templateLabels(s);
  if (selectorMatches(selector, labels) === false) {
    out.push(invalid(`${s.at('template')}.metadata.labels`, labels ?? null, '`selector` does not match template `labels`'));
  }
}

/** validateGeneratedSelector: with manualSelector off, the template carries the generated labels. */
function validateGeneratedSelector(job: Record<string, unknown>, requirePrefixed: boolean, out: FieldCause[]): void {
  const spec = asRecord(job.spec) ?? {};
  if (spec.manualSelector === true || spec.selector == null) return;
  const meta = asRecord(job.metadata) ?? {};
  const uid = typeof meta.uid === 'string' ? meta.uid : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!uid) out.push(required('metadata.uid', ''));
  const labels = asRecord(asRecord(asRecord(spec.template)?.metadata)?.labels) as Record<string, string> | undefined;
  const path = 'spec.template.metadata';
  out.push(...validateHasLabel(labels, path, 'controller-uid', uid), ...validateHasLabel(labels, path, 'job-name', name));
  const expected: Record<string, string> = { 'controller-uid': uid, 'job-name': name };
  if (requirePrefixed) {
    out.push(...validateHasLabel(labels, path, 'batch.kubernetes.io/controller-uid', uid));
    out.push(...validateHasLabel(labels, path, 'batch.kubernetes.io/job-name', name));
    expected['batch.kubernetes.io/controller-uid'] = uid;
    expected['batch.kubernetes.io/job-name'] = name;
  }
  if (selectorMatches(spec.selector, expected) === false) out.push(invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
}

/** ValidateJob: metadata, generated selector, spec, and an Indexed job's longest pod hostname. */
export function validateJob(job: Record<string, unknown>, opts: JobValidationOptions = { requirePrefixedLabels: true, allowMutableSchedulingDirectives: false }): FieldCause[] {
  const out = validateObjectMeta(job.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateGeneratedSelector(job, opts.requirePrefixedLabels, out);
  validateJobSpec(job.spec, 'spec', out);
  const spec = asRecord(job.spec) ?? {};
  const name = asRecord(job.metadata)?.name;
  const completions = spec.completions;
  if (spec.completionMode === 'Indexed' && typeof completions === 'number' && completions > 0 && typeof name === 'string') {
    const hostname = `${name}-${completions - 1}`;
    if (dns1123LabelErrors(hostname).length > 0) {
      out.push(invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return out;
}

/** ValidateJobTemplateSpec (a CronJob's jobTemplate): a Job spec without selector or manualSelector. */
export function validateJobTemplateSpec(raw: unknown, path: string, out: FieldCause[]): void {
  const t = FieldReader.of(raw, path, out);
  const s = validateJobSpecFields(t.obj.spec, t.at('spec'), out);
  if (s.obj.selector != null) out.push(invalid(s.at('selector'), s.obj.selector, '`selector` will be auto-generated'));
  if (s.obj.manualSelector === true) out.push(notSupported(s.at('manualSelector'), true, ['nil', 'false']));
}

const SCHEDULING_DIRECTIVES = ['nodeSelector', 'tolerations', 'schedulingGates'];

/** The old template with the fields a suspended, never-started job may change taken from the new one. */
function mutableTemplateBase(template: Record<string, unknown>, old: Record<string, unknown>): Record<string, unknown> {
  const newSpec = asRecord(template.spec) ?? {};
  const oldSpec = { ...(asRecord(old.spec) ?? {}) };
  for (const f of SCHEDULING_DIRECTIVES) oldSpec[f] = newSpec[f];
  const newAffinity = asRecord(newSpec.affinity);
  const oldAffinity = asRecord(oldSpec.affinity);
  if (newAffinity || oldAffinity) {
    const merged = { ...(oldAffinity ?? {}), nodeAffinity: newAffinity?.nodeAffinity };
    oldSpec.affinity = !newAffinity && deepEqual({ ...merged, nodeAffinity: undefined }, {}) ? undefined : merged;
  }
  const newMeta = asRecord(template.metadata) ?? {};
  const oldMeta = { ...(asRecord(old.metadata) ?? {}), labels: newMeta.labels, annotations: newMeta.annotations };
  return { ...old, metadata: oldMeta, spec: oldSpec };
}

/** The options Kubernetes' job strategy derives from the stored job on update. */
export function jobUpdateOptions(old: Record<string, unknown>): JobValidationOptions {
  const spec = asRecord(old.spec) ?? {};
  const labels = asRecord(asRecord(asRecord(spec.template)?.metadata)?.labels) ?? {};
  return {
    requirePrefixedLabels: 'batch.kubernetes.io/job-name' in labels && 'batch.kubernetes.io/controller-uid' in labels,
    allowMutableSchedulingDirectives: spec.suspend === true && asRecord(old.status)?.startTime == null,
  };
}

/** ValidateUpdate of the job strategy: the job as on create, plus the immutable spec fields. */
export function validateJobUpdate(job: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const opts = jobUpdateOptions(old);
  const out = validateJob(job, opts);
  out.push(...validateObjectMetaUpdate(job.metadata, old.metadata));
  const spec = asRecord(job.spec) ?? {};
  const oldSpec = asRecord(old.spec) ?? {};
  const indexed = spec.completionMode === 'Indexed';
  if (!indexed) out.push(...validateImmutable(spec.completions, oldSpec.completions, 'spec.completions'));
  else if (!deepEqual(spec.completions, oldSpec.completions) && typeof spec.completions === 'number' && spec.completions !== spec.parallelism) {
    out.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  out.push(...validateImmutable(spec.selector, oldSpec.selector, 'spec.selector'));
  const template = asRecord(spec.template) ?? {};
  const oldTemplate = asRecord(oldSpec.template) ?? {};
  const base = opts.allowMutableSchedulingDirectives ? mutableTemplateBase(template, oldTemplate) : oldTemplate;
  out.push(...validateImmutable(spec.template, base, 'spec.template'));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    out.push(...validateImmutable(spec[f], oldSpec[f], `spec.${f}`));
  }
  return out;
}
