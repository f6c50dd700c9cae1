/**
 * The rows of each dashboard panel as HTML strings (every value escaped), keyed so the page
 * updates only the rows that changed. Pure functions of (objects, now); tested without a browser.
 */
import type { CronJob, Event, Job, Pod } from '@kjobs/api';
import { esc, formatBytes, formatCpu, humanDuration, percent, relative } from './format.js';
import {
  cronJobRuns, eventTime, jobConditions, jobDuration, jobProgress, jobStatus, keyOf, phaseCounts, podRestarts, podStatus,
  type NodeAllocation, type Status,
} from './model.js';

/** One table row: its key and the HTML of its cells. */
export interface Row {
  key: string;
  html: string;
}

/** A status as symbol + word (readable without colour); the class only adds colour. */
export function statusHtml(s: Status): string {
  return `<span class="st ${s.tone}"><span aria-hidden="true">${s.symbol}</span> ${esc(s.text)}</span>`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `kjobs rerun`'s link (annotation kjobs.io/rerun-of), shown under the name of a rerun Job. */
function rerunNote(job: Job): string {
  const a = job.metadata.annotations ?? {};
  const of = a['kjobs.io/rerun-of'];
  return of ? `<div class="small">rerun of ${esc(of)}${a['kjobs.io/rerun-indexes'] ? ` (indexes ${esc(a['kjobs.io/rerun-indexes'])})` : ''}</div>` : '';
}

/** A Job row: name (and the Job it re-runs, for a `kjobs rerun`), status, progress bar, active, failed, duration, its pods, conditions. */
export function jobRow(job: Job, pods: Pod[], now: number, selected: boolean): Row {
  const p = jobProgress(job);
  const status = jobStatus(job);
  const done = status.text === 'Complete';
  const label = p.max === null ? `${p.succeeded} succeeded (work queue)` : `${p.succeeded} of ${p.max} completions succeeded`;
  const bar = p.max === null
    ? (done ? '<progress max="1" value="1"' : '<progress') + ` aria-label="${esc(label)}"></progress>`
    : `<progress max="${p.max}" value="${Math.min(p.succeeded, p.max)}" aria-label="${esc(label)}"></progress>`;
  const restarts = pods.reduce((n, pod) => n + podRestarts(pod), 0);
  const phases = phaseCounts(pods).map(([ph, n]) => `${n} ${ph}`).join(', ');
  const podsCell = pods.length === 0 ? '<span class="muted">none</span>'
    : `<button type="button" class="link" data-select="${esc(job.metadata.uid)}" aria-pressed="${selected}">${plural(pods.length, 'pod')}</button>` +
      `<div class="small">${esc(phases)}${restarts ? `, ${plural(restarts, 'restart')}` : ''}</div>`;
  const conditions = jobConditions(job);
  const html = [
    `<th scope="row"><span class="ns">${esc(job.metadata.namespace)}/</span>${esc(job.metadata.name)}${rerunNote(job)}</th>`,
    `<td>${statusHtml(status)}</td>`,
    `<td class="progress">${bar} <span class="ptext">${esc(p.text)}</span></td>`,
    `<td class="n">${p.active}${p.ready && p.ready !== p.active ? ` <span class="small">(${p.ready} ready)</span>` : ''}</td>`,
    `<td class="n${p.failed ? ' bad' : ''}">${p.failed}</td>`,
    `<td class="n">${esc(jobDuration(job, now))}</td>`,
    `<td>${podsCell}</td>`,
    `<td class="conditions">${conditions.length ? conditions.map((c) => `<div>${esc(c)}</div>`).join('') : '<span class="muted">—</span>'}</td>`,
  ].join('');
  return { key: keyOf(job), html };
}

/** A Pod row: name, status as kubectl shows it, phase, restarts, node. */
export function podRow(pod: Pod): Row {
  const restarts = podRestarts(pod);
  return {
    key: keyOf(pod),
    html: [
      `<th scope="row"><span class="ns">${esc(pod.metadata.namespace)}/</span>${esc(pod.metadata.name)}</th>`,
      `<td>${statusHtml(podStatus(pod))}</td>`,
      `<td>${esc(pod.status?.phase ?? 'Pending')}</td>`,
      `<td class="n${restarts ? ' bad' : ''}">${restarts}</td>`,
      `<td>${esc(pod.spec.nodeName ?? '') || '<span class="muted">unscheduled</span>'}</td>`,
    ].join(''),
  };
}

function usage(used: string, max: string, pct: number, what: string, rawUsed: number, rawMax: number): string {
  return `<meter min="0" max="${rawMax || 1}" value="${Math.min(rawUsed, rawMax || 1)}" high="${(rawMax || 1) * 0.9}" aria-label="${esc(what)} ${pct}% allocated"></meter> ` +
    `<span class="small">${esc(used)} / ${esc(max)} (${pct}%)</span>`;
}

/** A Node row: readiness, pods, and the CPU and memory its pods request against allocatable. */
export function nodeRow(name: string, a: NodeAllocation): Row {
  return {
    key: name,
    html: [
      `<th scope="row">${esc(name)}</th>`,
      `<td>${statusHtml(a.ready)}</td>`,
      `<td class="n">${a.pods}${a.maxPods ? `/${a.maxPods}` : ''}</td>`,
      `<td>${usage(formatCpu(a.cpu), formatCpu(a.maxCpu), percent(a.cpu, a.maxCpu), 'CPU', a.cpu, a.maxCpu)}</td>`,
      `<td>${usage(formatBytes(a.memory), formatBytes(a.maxMemory), percent(a.memory, a.maxMemory), 'Memory', a.memory, a.maxMemory)}</td>`,
    ].join(''),
  };
}

function clock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A CronJob row: schedule, suspended, active Jobs, last and next runs. */
export function cronJobRow(cj: CronJob, now: number): Row {
  const r = cronJobRuns(cj, now);
  const next = r.suspended ? '<span class="muted">suspended</span>'
    : r.next === null ? '<span class="muted">none</span>'
    : `${esc(relative(new Date(r.next).toISOString(), now))} <span class="small">(${esc(clock(r.next))})</span>`;
  return {
    key: keyOf(cj),
    html: [
      `<th scope="row"><span class="ns">${esc(cj.metadata.namespace)}/</span>${esc(cj.metadata.name)}</th>`,
      `<td><code>${esc(r.schedule)}</code></td>`,
      `<td>${r.suspended ? '<span class="st idle"><span aria-hidden="true">⏸</span> Yes</span>' : 'No'}</td>`,
      `<td class="n">${r.active}</td>`,
      `<td>${esc(relative(r.lastSchedule, now)) || '<span class="muted">never</span>'}</td>`,
      `<td>${esc(relative(r.lastSuccessful, now)) || '<span class="muted">never</span>'}</td>`,
      `<td>${next}</td>`,
    ].join(''),
  };
}

/** A queue as the dashboard's memq endpoint reports it: counters and [time ms, depth] samples. */
export interface QueueView {
  name: string;
  depth: number;
  enqueued: number;
  dequeued: number;
  drained: number;
  history: [number, number][];
}

/**
 * An SVG line of depth over time (no inline styles: the page's CSP forbids them), across the
 * window or, while the history is shorter, across the history.
 */
export function sparkline(history: [number, number][], now: number, windowMs: number, width = 100, height = 24): string {
  const shown = history.filter(([t]) => t >= now - windowMs);
  const start = Math.min(now - 1000, shown[0]?.[0] ?? now - windowMs);
  const span = now - start;
  const peak = Math.max(1, ...shown.map(([, d]) => d));
  const points = shown.map(([t, d]) => `${Math.round(((t - start) / span) * width)},${(height - 2 - (d / peak) * (height - 4)).toFixed(1)}`);
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="depth over the last ${humanDuration(span)}, peak ${peak}">` +
    `<line x1="0" y1="${height - 2}" x2="${width}" y2="${height - 2}" class="axis"/>` +
    (points.length ? `<polyline points="${points.join(' ')}" class="line"/>` : '') + '</svg>';
}

/** A MemQ queue row: counters and depth over the last minutes. */
export function queueRow(q: QueueView, now: number, windowMs: number): Row {
  const shown = q.history.filter(([t]) => t >= now - windowMs);
  const peak = Math.max(0, ...shown.map(([, d]) => d));
  const span = shown.length ? humanDuration(now - shown[0]![0]) : '';
  return {
    key: q.name,
    html: [
      `<th scope="row">${esc(q.name)}</th>`,
      `<td class="n">${q.depth}</td><td class="n">${q.enqueued}</td><td class="n">${q.dequeued}</td><td class="n">${q.drained}</td>`,
      `<td>${sparkline(q.history, now, windowMs)}<span class="small">peak ${peak}${span ? `, last ${span}` : ''}</span></td>`,
    ].join(''),
  };
}

/** An Event row: when, type (with a symbol for warnings), object, reason, message. */
export function eventRow(e: Event, now: number): Row {
  const t = eventTime(e);
  const warning = e.type === 'Warning';
  const obj = e.involvedObject;
  return {
    key: keyOf(e),
    html: [
      `<td class="n">${t ? esc(humanDuration(now - t)) : ''}</td>`,
      `<td>${warning ? '<span class="st bad"><span aria-hidden="true">⚠</span> Warning</span>' : esc(e.type ?? 'Normal')}</td>`,
      `<td>${esc(`${(obj.kind ?? '').toLowerCase()}/${obj.name ?? ''}`)}${obj.namespace ? ` <span class="ns">(${esc(obj.namespace)})</span>` : ''}</td>`,
      `<td>${esc(e.reason)}</td>`,
      `<td>${esc(e.message)}${(e.count ?? 1) > 1 ? ` <span class="small">(×${e.count})</span>` : ''}</td>`,
    ].join(''),
  };
}
