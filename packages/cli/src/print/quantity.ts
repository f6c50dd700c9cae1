/**
 * Just enough of resource.Quantity for describe's totals: parse "250m", "1", "128Mi", "1G" to a
 * number of base units (cores or bytes) and print sums back in Kubernetes' canonical style.
 */
import { quantityValue } from '@kjobs/api';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** The value of a quantity in base units (@kjobs/api); 0 for an empty or unparsable one. */
export function parseQuantity(q: string | number | undefined): number {
  const v = quantityValue(q);
  return Number.isNaN(v) ? 0 : v;
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
