/**
 * Just enough of resource.Quantity for describe's totals: parse "250m", "1", "128Mi", "1G" to a
 * number of base units (cores or bytes) and print sums back in Kubernetes' canonical style.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity in base units; 0 for an empty or unparsable one. */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?\d*\.?\d+)(?:[eE]([+-]?\d+))?([KMGTPE]i|[numkMGTPE])?$/.exec(q.trim());
  if (!m) return 0;
  const base = Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1);
  const suffix = m[3] ?? '';
  return base * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** CPU cores as Kubernetes prints them: "2", "250m", "0". */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes with the largest binary suffix that divides them evenly: "128Mi", "1Gi", "0". */
export function formatBytes(bytes: number): string {
  const b = Math.round(bytes);
  if (b === 0) return '0';
  for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const f = BINARY[s]!;
    if (b % f === 0) return `${b / f}${s}`;
  }
  return String(b);
}
