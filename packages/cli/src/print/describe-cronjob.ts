import type { CronJob } from '@kjobs/api';
import { selectorString } from '../selectors.js';
import { writePodTemplate } from './describe-containers.js';
import { writeEvents } from './describe-events.js';
import type { DescribeContext } from './describe-job.js';
import { DescribeWriter, LEVEL_0, boolPtr, writeAnnotations, writeLabels } from './describe-writer.js';
import { formatRFC1123Z } from './time.js';

/** `kjobs describe cronjob`: kubectl's cronjob describer layout. */
export function describeCronJob(cj: CronJob, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const spec = cj.spec ?? ({} as CronJob['spec']);
  const jt = spec.jobTemplate?.spec;
  w.write(LEVEL_0, `Name:\t${cj.metadata.name ?? ''}\n`);
  w.write(LEVEL_0, `Namespace:\t${cj.metadata.namespace ?? ''}\n`);
  writeLabels(w, 'Labels', cj.metadata.labels);
  writeAnnotations(w, 'Annotations', cj.metadata.annotations);
  w.write(LEVEL_0, `Schedule:\t${spec.schedule ?? ''}\n`);
  if (spec.timeZone) w.write(LEVEL_0, `Time Zone:\t${spec.timeZone}\n`);
  w.write(LEVEL_0, `Concurrency Policy:\t${spec.concurrencyPolicy ?? ''}\n`);
  w.write(LEVEL_0, `Suspend:\t${boolPtr(spec.suspend)}\n`);
  w.write(LEVEL_0, `Successful Job History Limit:\t${spec.successfulJobsHistoryLimit ?? '<unset>'}\n`);
  w.write(LEVEL_0, `Failed Job History Limit:\t${spec.failedJobsHistoryLimit ?? '<unset>'}\n`);
  w.write(LEVEL_0, `Starting Deadline Seconds:\t${spec.startingDeadlineSeconds !== undefined ? `${spec.startingDeadlineSeconds}s` : '<unset>'}\n`);
  w.write(LEVEL_0, `Selector:\t${jt?.selector ? selectorString(jt.selector) : '<unset>'}\n`);
  w.write(LEVEL_0, `Parallelism:\t${jt?.parallelism ?? '<unset>'}\n`);
  w.write(LEVEL_0, `Completions:\t${jt?.completions ?? '<unset>'}\n`);
  if (jt?.activeDeadlineSeconds !== undefined) w.write(LEVEL_0, `Active Deadline Seconds:\t${jt.activeDeadlineSeconds}s\n`);
  writePodTemplate(w, jt?.template, ctx);
  const last = cj.status?.lastScheduleTime;
  w.write(LEVEL_0, `Last Schedule Time:\t${last ? formatRFC1123Z(last, ctx.tzOffsetMinutes) : '<unset>'}\n`);
  const active = (cj.status?.active ?? []).map((r) => r.name ?? '').filter(Boolean);
  w.write(LEVEL_0, `Active Jobs:\t${active.length ? active.join(', ') : '<none>'}\n`);
  writeEvents(w, ctx.events, ctx.now);
  return w.toString();
}
