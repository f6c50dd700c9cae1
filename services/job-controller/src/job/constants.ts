/**
 * Well-known names and limits of the Job controller, spelled exactly as Kubernetes spells them
 * (k8s.io/api batch/v1 types.go, pkg/controller/job).
 */

/** Finalizer on every Job pod until the controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and label) holding an Indexed pod's completion index. */
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
/** Label naming the owning Job. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** Label holding the owning Job's uid. */
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
/** Legacy unprefixed label naming the owning Job. */
export const LEGACY_JOB_NAME_LABEL = 'job-name';
/** Legacy unprefixed label holding the owning Job's uid. */
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
/** Per-index count of counted failures carried from a failed pod to its replacement. */
export const JOB_INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
/** Per-index count of ignored failures carried from a failed pod to its replacement. */
export const JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** `spec.managedBy` value that means "this controller". */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
/** Env var every container of an Indexed pod gets. */
export const COMPLETION_INDEX_ENV_NAME = 'JOB_COMPLETION_INDEX';

/** At most this many uids in `status.uncountedTerminatedPods` (and finalizer removals) per sync. */
export const MAX_UNCOUNTED_PODS = 500;
/** At most this many pod creations or deletions per sync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** First pod-recreation backoff after a failure. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** Cap of the pod-recreation backoff (current Kubernetes; the old 6-minute cap is obsolete). */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
/** Pod creations go in batches of 1, 2, 4, … starting here. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** A delayed requeue is never shorter than the sync batch period. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1_000;
/** `generateName` prefixes are cut to this length (apiserver names.MaxGeneratedNameLength). */
export const MAX_GENERATED_NAME_LENGTH = 58;
/** Default `spec.backoffLimit`. */
export const DEFAULT_BACKOFF_LIMIT = 6;
