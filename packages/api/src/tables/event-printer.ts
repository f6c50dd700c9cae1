import type { Event } from '../types.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow } from './table-types.js';

interface EventSeries { count?: number; lastObservedTime?: string }

/** SOURCE: component (or reportingController), then ", host" (or reportingInstance) when there is one. */
function eventSource(ev: Event): string {
  const component = ev.source?.component || (ev.reportingComponent as string | undefined) || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/**
 * An Event row (printers.go printEvent): LAST SEEN falls back to the first sighting, then to
 * eventTime; OBJECT is `kind/name` with the kind lower-cased (`job/oneshot`); COUNT is 1 for
 * singleton events, or the series count.
 */
export function printEvent(ev: Event, now: Date): PrintedRow {
  const series = ev.series as EventSeries | undefined;
  const firstSeen = ev.firstTimestamp ? translateTimestampSince(ev.firstTimestamp, now) : translateTimestampSince(ev.eventTime, now);
  let lastSeen = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : firstSeen;
  let count = ev.count ?? 0;
  if (series) {
    lastSeen = translateTimestampSince(series.lastObservedTime, now);
    count = series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  const involved = ev.involvedObject ?? {};
  const kind = (involved.kind ?? '').toLowerCase();
  const target = involved.name ? `${kind}/${involved.name}` : kind;
  return {
    cells: [
      lastSeen, ev.type ?? '', ev.reason ?? '', target, involved.fieldPath ?? '', eventSource(ev), (ev.message ?? '').trim(),
      firstSeen, count, ev.metadata.name ?? '',
    ],
  };
}

/** Event columns and printer. */
export const EVENT_PRINTER: Printer<Event> = {
  columns: [
    column('Last Seen', 'string', D.eventLastSeen),
    column('Type', 'string', D.eventType),
    column('Reason', 'string', D.eventReason),
    column('Object', 'string', D.eventObject),
    column('Subobject', 'string', D.eventSubobject, 1),
    column('Source', 'string', D.eventSource, 1),
    column('Message', 'string', D.eventMessage),
    column('First Seen', 'string', D.eventFirstSeen, 1),
    column('Count', 'string', D.eventCount, 1),
    column('Name', 'string', D.name, 1, 'name'),
  ],
  print: printEvent,
};
