/**
 * A tiny Prometheus text exposition of kuard's one custom metric, `request_duration_seconds`
 * {method, route, status_code} with Go's default buckets (kuard labels by the request path; at
 * most 1000 series are kept so a long-lived pod cannot grow without bound).
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MAX_SERIES = 1000;

interface Series {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
}

/** The request histogram. */
export class RequestMetrics {
  private readonly series = new Map<string, Series>();

  /** Record one request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = `method=${quote(method)},route=${quote(route)},status_code="${status}"`;
    let s = this.series.get(labels);
    if (!s) {
      if (this.series.size >= MAX_SERIES) return;
      s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(labels, s);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  /** Prometheus text format 0.0.4. */
  render(): string {
    let out = '# HELP request_duration_seconds Time serving HTTP request\n# TYPE request_duration_seconds histogram\n';
    for (const s of this.series.values()) {
      BUCKETS.forEach((b, i) => (out += `request_duration_seconds_bucket{${s.labels},le="${b}"} ${s.counts[i]}\n`));
      out += `request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}\n`;
      out += `request_duration_seconds_sum{${s.labels}} ${s.sum}\n`;
      out += `request_duration_seconds_count{${s.labels}} ${s.count}\n`;
    }
    return out;
  }
}

function quote(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') + '"';
}
