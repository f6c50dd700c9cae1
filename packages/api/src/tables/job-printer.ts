import type { Job } from '../types.js';
import { formatSelectorCell, layoutContainerCells } from './cell-format.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow } from './table-types.js';

/** Whether the Job has a condition of this type whose status is True (the first one found decides). */
function hasJobCondition(job: Job, type: string): boolean {
  const c = (job.status?.conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/**
 * The STATUS of a Job as kubectl 1.32 shows it: Complete, Failed, Terminating (being deleted),
 * Suspended, FailureTarget, SuccessCriteriaMet, else Running, checked in that order.
 */
export function jobStatusCell(job: Job): string {
  if (hasJobCondition(job, 'Complete')) return 'Complete';
  if (hasJobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(job, 'Suspended')) return 'Suspended';
  if (hasJobCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasJobCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/**
 * A Job row (printers.go printJob): COMPLETIONS "succeeded/completions", or without completions
 * "succeeded/1" ("succeeded/1 of P" when parallelism > 1); DURATION from startTime to completionTime
 * (or to now while running), empty before the Job started.
 */
export function printJob(job: Job, now: Date): PrintedRow {
  const succeeded = job.status?.succeeded ?? 0;
  const completions = job.spec?.completions;
  const parallelism = job.spec?.parallelism ?? 0;
  const completionsCell = completions !== undefined && completions !== null ? `${succeeded}/${completions}`
    : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  const start = parseTimestamp(job.status?.startTime);
  const end = parseTimestamp(job.status?.completionTime);
  const duration = start === undefined ? '' : end === undefined ? translateTimestampSince(start, now) : humanDuration(end - start);
  const { names, images } = layoutContainerCells(job.spec?.template?.spec?.containers);
  return {
    cells: [
      job.metadata.name ?? '', jobStatusCell(job), completionsCell, duration, translateTimestampSince(job.metadata.creationTimestamp, now),
      names, images, formatSelectorCell(job.spec?.selector),
    ],
  };
}

/** Job columns and printer. */
export const JOB_PRINTER: Printer<Job> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Status', 'string', D.jobStatus),
    column('Completions', 'string', D.jobSucceeded),
    column('Duration', 'string', D.jobDuration),
    column('Age', 'string', D.age),
    column('Containers', 'string', D.containers, 1),
    column('Images', 'string', D.images, 1),
    column('Selector', 'string', D.jobSelector, 1),
  ],
  print: printJob,
};
