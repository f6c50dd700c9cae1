import type { Event, Job } from '@kjobs/api';
import { describeMemqQueue } from '../extensions/memq-queue.js';
import { selectorString } from '../selectors.js';
import { writePodTemplate, type DescribeTime } from './describe-containers.js';
import { writeEvents } from './describe-events.js';
import { DescribeWriter, LEVEL_0, writeAnnotations, writeLabels } from './describe-writer.js';
import { formatRFC1123Z, humanDuration } from './time.js';

/** What a describe printer gets besides the object. */
export interface DescribeContext extends DescribeTime {
  now: Date;
  /** Events about the object; null when they could not be listed. */
  events: Event[] | null;
}

/**
 * `kjobs describe job`: kubectl's job describer layout (Name … Pods Statuses, Pod Template,
 * Events). Pods Statuses reads `N Running / N Succeeded / N Failed` from the Job's status
 * counters, as the book shows it. kjobs adds `MemQ Queue:` for a Job that names its queue
 * (kjobs.io/memq-queue): the queue's depth and leases in flight as the job-controller last saw them.
 */
export function describeJob(job: Job, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const spec = job.spec ?? ({} as Job['spec']);
  const st = job.status ?? {};
  w.write(LEVEL_0, `Name:\t${job.metadata.name ?? ''}\n`);
  w.write(LEVEL_0, `Namespace:\t${job.metadata.namespace ?? ''}\n`);
  w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector)}\n`);
  writeLabels(w, 'Labels', job.metadata.labels);
  writeAnnotations(w, 'Annotations', job.metadata.annotations);
  w.write(LEVEL_0, `Parallelism:\t${spec.parallelism ?? 1}\n`);
  w.write(LEVEL_0, `Completions:\t${spec.completions ?? '<unset>'}\n`);
  if (spec.completionMode) w.write(LEVEL_0, `Completion Mode:\t${spec.completionMode}\n`);
  if (spec.suspend !== undefined) w.write(LEVEL_0, `Suspend:\t${spec.suspend}\n`);
  if (spec.backoffLimit !== undefined) w.write(LEVEL_0, `Backoff Limit:\t${spec.backoffLimit}\n`);
  if (spec.ttlSecondsAfterFinished !== undefined) w.write(LEVEL_0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
  if (spec.backoffLimitPerIndex !== undefined) w.write(LEVEL_0, `Backoff Limit Per Index:\t${spec.backoffLimitPerIndex}\n`);
  if (spec.maxFailedIndexes !== undefined) w.write(LEVEL_0, `Max Failed Indexes:\t${spec.maxFailedIndexes}\n`);
  if (st.startTime) w.write(LEVEL_0, `Start Time:\t${formatRFC1123Z(st.startTime, ctx.tzOffsetMinutes)}\n`);
  if (st.completionTime) w.write(LEVEL_0, `Completed At:\t${formatRFC1123Z(st.completionTime, ctx.tzOffsetMinutes)}\n`);
  if (st.startTime && st.completionTime) {
    w.write(LEVEL_0, `Duration:\t${humanDuration(Date.parse(st.completionTime) - Date.parse(st.startTime))}\n`);
  }
  if (spec.activeDeadlineSeconds !== undefined) w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  w.write(LEVEL_0, `Pods Statuses:\t${st.active ?? 0} Running / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
  const queue = describeMemqQueue(job);
  if (queue !== undefined) w.write(LEVEL_0, `MemQ Queue:\t${queue}\n`);
  if (spec.completionMode === 'Indexed') w.write(LEVEL_0, `Completed Indexes:\t${capIndexes(st.completedIndexes)}\n`);
  if (spec.backoffLimitPerIndex !== undefined) w.write(LEVEL_0, `Failed Indexes:\t${capIndexes(st.failedIndexes)}\n`);
  writePodTemplate(w, spec.template, ctx);
  writeEvents(w, ctx.events, ctx.now);
  return w.toString();
}

/** kubectl's `capIndexesListOrNone`: "<none>", or the list cut at 50 characters. */
function capIndexes(s: string | undefined): string {
  if (!s) return '<none>';
  if (s.length <= 50) return s;
  const cut = s.slice(0, 50);
  return `${cut.slice(0, cut.lastIndexOf(','))},...`;
}
