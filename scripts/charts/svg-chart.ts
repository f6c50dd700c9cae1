/**
 * Small hand-written SVG line charts for the docs (no browser, no dependency): axes with "nice"
 * ticks, a grid, one polyline and one circle per point per series, dashed reference lines, a
 * legend. Deterministic output, so a chart changes only when its data does.
 */

/** One series: points in data units. */
export interface Series {
  name: string;
  points: [number, number][];
  color: string;
  /** Draw the line dashed and the points hollow (a floor or baseline). */
  dashed?: boolean;
  /** Points only, no connecting line. */
  noLine?: boolean;
}

/** A horizontal line across the plot (a target), labelled at its right end. */
export interface Rule {
  y: number;
  label: string;
  color: string;
}

/** What `lineChart` draws. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  rules?: Rule[];
  /** Text for x ticks at given positions (e.g. run labels); default numeric ticks. */
  xTicks?: { x: number; label: string }[];
  /** Log-scale y (latencies spanning decades). */
  logY?: boolean;
  /** y axis from 0 (default true unless logY). */
  yFromZero?: boolean;
  width?: number;
  height?: number;
}

const PAD = { left: 64, right: 150, top: 40, bottom: 56 };

/** Escape text for SVG. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^n steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Powers of ten (and 2×, 5× when few) covering [lo, hi] for a log axis. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of hi / lo < 1000 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(12)));
    }
  }
  return out;
}

/** A tick label: 1,234 / 0.5 / 12k. */
export function fmt(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Number((v / 1000).toPrecision(3))}k`;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

/** The chart as an SVG document. */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 380;
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...o.series.flatMap((s) => s.points.map((p) => p[1])), ...(o.rules ?? []).map((r) => r.y)].filter((y) => !o.logY || y > 0);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let y0 = o.logY ? Math.min(...ys) : o.yFromZero === false ? Math.min(...ys) : Math.min(0, ...ys);
  let y1 = Math.max(...ys);
  if (o.logY) [y0, y1] = [10 ** Math.floor(Math.log10(y0)), 10 ** Math.ceil(Math.log10(y1))];
  else {
    const t = niceTicks(y0, y1);
    const step = t.length > 1 ? t[1]! - t[0]! : 1;
    y1 = t.at(-1)! < y1 ? t.at(-1)! + step : t.at(-1)!;
    if (y0 === y1) y1 = y0 + 1;
  }
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = o.logY
    ? (y: number) => PAD.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph
    : (y: number) => PAD.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const r = (n: number) => Math.round(n * 10) / 10;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
  ];
  // Grid and y ticks.
  out.push('<g class="y-axis" stroke="#e3e3e3">');
  for (const t of o.logY ? logTicks(y0, y1) : niceTicks(y0, y1)) {
    out.push(`<line x1="${PAD.left}" x2="${PAD.left + pw}" y1="${r(sy(t))}" y2="${r(sy(t))}"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${r(sy(t)) + 4}" text-anchor="end" stroke="none" fill="#333">${fmt(t)}</text>`);
  }
  out.push('</g>');
  // x ticks.
  out.push('<g class="x-axis" fill="#333">');
  const xt = o.xTicks ?? niceTicks(x0, x1, 8).map((x) => ({ x, label: fmt(x) }));
  for (const t of xt) {
    out.push(`<line x1="${r(sx(t.x))}" x2="${r(sx(t.x))}" y1="${PAD.top + ph}" y2="${PAD.top + ph + 4}" stroke="#333"/>`);
    out.push(`<text x="${r(sx(t.x))}" y="${PAD.top + ph + 17}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push('</g>');
  // Axes and their labels.
  out.push(`<path class="axes" d="M${PAD.left},${PAD.top} V${PAD.top + ph} H${PAD.left + pw}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${PAD.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${PAD.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  // Target rules.
  for (const rule of o.rules ?? []) {
    const y = r(sy(rule.y));
    out.push(`<g class="rule"><line x1="${PAD.left}" x2="${PAD.left + pw}" y1="${y}" y2="${y}" stroke="${rule.color}" stroke-width="1.5" stroke-dasharray="2 3"/><text x="${PAD.left + pw + 4}" y="${y + 4}" fill="${rule.color}">${esc(rule.label)}</text></g>`);
  }
  // Series.
  o.series.forEach((s, i) => {
    const pts = s.points.filter((p) => !o.logY || p[1] > 0);
    out.push(`<g class="series" data-name="${esc(s.name)}">`);
    if (!s.noLine && pts.length > 1) out.push(`<polyline points="${pts.map((p) => `${r(sx(p[0]))},${r(sy(p[1]))}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    for (const p of pts) out.push(`<circle cx="${r(sx(p[0]))}" cy="${r(sy(p[1]))}" r="3" fill="${s.dashed ? '#ffffff' : s.color}" stroke="${s.color}"/>`);
    out.push('</g>');
    const ly = PAD.top + 10 + i * 18;
    const mark = s.noLine
      ? `<circle cx="${PAD.left + pw + 20}" cy="${ly}" r="3" fill="${s.dashed ? '#ffffff' : s.color}" stroke="${s.color}"/>`
      : `<line x1="${PAD.left + pw + 10}" x2="${PAD.left + pw + 30}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`;
    out.push(`<g class="legend">${mark}<text x="${PAD.left + pw + 34}" y="${ly + 4}">${esc(s.name)}</text></g>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * A latency distribution as percentiles: `(p, value at p)` for p = 1 … 100 in `steps` (the
 * nearest-rank percentile, as the benchmarks report p50/p99).
 */
export function percentilePoints(values: number[], steps = 100): [number, number][] {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return [];
  return Array.from({ length: steps }, (_, i) => {
    const p = ((i + 1) * 100) / steps;
    return [p, s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!] as [number, number];
  });
}
