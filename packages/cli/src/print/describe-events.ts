import type { Event } from '@kjobs/api';
import { DescribeWriter, LEVEL_0, LEVEL_1 } from './describe-writer.js';
import { ageSince } from './time.js';

function eventTimeMs(e: Event): number {
  const t = e.lastTimestamp || e.eventTime || e.firstTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** The Age cell: "5s", or "2s (x3 over 10s)" for a repeated event. */
export function eventInterval(e: Event, now: Date): string {
  const first = e.eventTime ? ageSince(e.eventTime, now) : ageSince(e.firstTimestamp, now);
  const series = e.series as { count?: number; lastObservedTime?: string } | undefined;
  if (series?.count) return `${ageSince(series.lastObservedTime, now)} (x${series.count} over ${first})`;
  if ((e.count ?? 0) > 1) return `${ageSince(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

/**
 * kubectl's `DescribeEvents`: "Events:\t<none>", or a Type/Reason/Age/From/Message table (its own
 * alignment block) sorted by last timestamp. `events` null means they could not be listed.
 */
export function writeEvents(w: DescribeWriter, events: Event[] | null | undefined, now: Date): void {
  if (!events || events.length === 0) {
    w.write(LEVEL_0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => eventTimeMs(a.e) - eventTimeMs(b.e) || a.i - b.i).map((x) => x.e);
  w.write(LEVEL_0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(LEVEL_1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const source = e.source?.component || (e.reportingController as string | undefined) || e.reportingComponent || '';
    w.write(LEVEL_1, `${e.type ?? ''}\t${e.reason ?? ''}\t${eventInterval(e, now)}\t${source}\t${(e.message ?? '').trim()}\n`);
  }
}
