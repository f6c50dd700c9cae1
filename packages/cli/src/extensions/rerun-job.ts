/**
 * The Job `kjobs rerun` creates (pure). See docs/kjobs-extensions.md for the index mapping.
 */
import { cloneJson, type Container, type Job } from '@kjobs/api';
import { CliError } from '../errors.js';
import { formatIndexList } from './indexes.js';

/** Annotation naming the Job a rerun re-runs indexes of. */
export const RERUN_OF_ANNOTATION = 'kjobs.io/rerun-of';
/** Annotation listing the original indexes, in order: the rerun's index i re-runs the i-th. */
export const RERUN_INDEXES_ANNOTATION = 'kjobs.io/rerun-indexes';
/** The pod annotation the job-controller sets from the list: the original index of that pod. */
export const ORIGINAL_INDEX_ANNOTATION = 'kjobs.io/original-completion-index';

/** Labels the api-server adds to a Job's template; a new Job gets its own. */
const GENERATED_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];

/** The indexes `--failed` re-runs: `status.failedIndexes` (backoffLimitPerIndex Jobs). */
export function failedIndexesOf(job: Job): string | undefined {
  return job.status?.failedIndexes || undefined;
}

function withOriginalIndexEnv(c: Container): Container {
  const env = (c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX');
  env.push({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${ORIGINAL_INDEX_ANNOTATION}']` } } });
  return { ...c, env };
}

/**
 * A new Indexed Job running `indexes` of `original` again. Guarantees:
 * - the original's spec and template, minus what the api-server generated for it (selector,
 *   controller-uid/job-name labels), `completions` = the number of indexes, parallelism and
 *   maxFailedIndexes at most that, not suspended, no successPolicy (it names the original's indexes);
 * - annotations `kjobs.io/rerun-of: <original>` and `kjobs.io/rerun-indexes: <list>`;
 * - every container and init container reads `JOB_COMPLETION_INDEX` from the pod annotation
 *   `kjobs.io/original-completion-index`, which the job-controller sets to the i-th listed index
 *   on the pod of index i, so each pod sees the index it re-runs.
 * Throws a CliError for a Job that is not Indexed, not finished, or an index out of range.
 */
export function buildRerunJob(original: Job, indexes: readonly number[], name: string, finished: boolean): Job {
  const oname = original.metadata.name ?? '';
  if (original.spec.completionMode !== 'Indexed') throw new CliError(`job.batch/${oname} is not an Indexed Job: only Indexed Jobs can re-run chosen indexes`);
  if (!finished) throw new CliError(`job.batch/${oname} has not finished yet: wait for it (kjobs wait --for=finished job/${oname})`);
  if (indexes.length === 0) throw new CliError('no indexes to re-run');
  const completions = original.spec.completions ?? 0;
  const outOfRange = indexes.filter((i) => i >= completions);
  if (outOfRange.length) throw new CliError(`index ${outOfRange.join(',')} is out of range: job.batch/${oname} has completions ${completions} (indexes 0-${completions - 1})`);
  const spec = cloneJson(original.spec);
  delete spec.selector;
  delete spec.manualSelector;
  delete spec.successPolicy;
  delete spec.suspend;
  spec.completions = indexes.length;
  spec.parallelism = Math.min(spec.parallelism ?? 1, indexes.length);
  // Validation wants maxFailedIndexes <= completions; more than all of them means "no limit" here.
  if (spec.maxFailedIndexes !== undefined) spec.maxFailedIndexes = Math.min(spec.maxFailedIndexes, indexes.length);
  const labels = { ...(spec.template.metadata?.labels ?? {}) };
  for (const k of GENERATED_LABELS) delete labels[k];
  spec.template.metadata = { ...(spec.template.metadata ?? {}), labels };
  spec.template.spec.containers = spec.template.spec.containers.map(withOriginalIndexEnv);
  if (spec.template.spec.initContainers) spec.template.spec.initContainers = spec.template.spec.initContainers.map(withOriginalIndexEnv);
  const jobLabels = { ...(original.metadata.labels ?? {}) };
  for (const k of GENERATED_LABELS) delete jobLabels[k];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      ...(original.metadata.namespace ? { namespace: original.metadata.namespace } : {}),
      ...(Object.keys(jobLabels).length ? { labels: jobLabels } : {}),
      annotations: { [RERUN_OF_ANNOTATION]: oname, [RERUN_INDEXES_ANNOTATION]: formatIndexList(indexes) },
    },
    spec,
  };
}

/** A name for the rerun: `<original>-rerun-<suffix>`, the original part cut to keep it within 63 characters. */
export function rerunJobName(original: string, suffix: string): string {
  const tail = `-rerun-${suffix}`;
  return original.slice(0, 63 - tail.length).replace(/[-.]+$/, '') + tail;
}
