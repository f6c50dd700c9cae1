import type { CronJob } from '../types.js';
import { formatBoolPtr, formatSelectorCell, layoutContainerCells } from './cell-format.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow } from './table-types.js';

/**
 * A CronJob row (printers.go printCronJob): TIMEZONE and LAST SCHEDULE `<none>` when unset, SUSPEND
 * "True"/"False"/"<unset>", ACTIVE the number of running Jobs.
 */
export function printCronJob(cj: CronJob, now: Date): PrintedRow {
  const last = cj.status?.lastScheduleTime;
  const { names, images } = layoutContainerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers);
  return {
    cells: [
      cj.metadata.name ?? '', cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', formatBoolPtr(cj.spec?.suspend),
      cj.status?.active?.length ?? 0, last ? translateTimestampSince(last, now) : '<none>', translateTimestampSince(cj.metadata.creationTimestamp, now),
      names, images, formatSelectorCell(cj.spec?.jobTemplate?.spec?.selector),
    ],
  };
}

/** CronJob columns and printer. */
export const CRONJOB_PRINTER: Printer<CronJob> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Schedule', 'string', D.cronSchedule),
    column('Timezone', 'string', D.cronTimeZone),
    column('Suspend', 'boolean', D.cronSuspend),
    column('Active', 'integer', D.cronActive),
    column('Last Schedule', 'string', D.cronLastSchedule),
    column('Age', 'string', D.age),
    column('Containers', 'string', D.containers, 1),
    column('Images', 'string', D.images, 1),
    column('Selector', 'string', D.jobSelector, 1),
  ],
  print: printCronJob,
};
