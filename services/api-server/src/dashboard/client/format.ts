/**
 * Formatting for the dashboard: kubectl's short durations, resource quantities (CPU in
 * millicores, memory in bytes) and HTML escaping. Pure functions; run in the browser and in tests.
 */
import { humanDuration as kubeHumanDuration, quantityValue } from '@kjobs/api';

/** Escape text for HTML element content and attribute values. */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * kubectl's `HumanDuration` (@kjobs/api), the form of AGE and DURATION columns: "45s", "5m30s",
 * "45m", "5h12m", "3d4h", "45d", "2y120d". A time slightly ahead of this browser's clock reads
 * "0s", never "<invalid>".
 */
export function humanDuration(ms: number): string {
  return kubeHumanDuration(Math.max(0, ms));
}

/** "3m ago" / "in 3m" relative to now; "" for a missing time. */
export function relative(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return t <= now ? `${humanDuration(now - t)} ago` : `in ${humanDuration(t - now)}`;
}

/** A Kubernetes quantity ("100m", "1.5", "64Mi", "1e3", "2G") as a number of base units; NaN if malformed. */
export const parseQuantity = quantityValue;

/** Millicores of a CPU quantity (0 when absent or malformed). */
export function cpuMillis(q: string | undefined): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.round(v * 1000) : 0;
}

/** Bytes of a memory quantity (0 when absent or malformed). */
export function memoryBytes(q: string | undefined): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.round(v) : 0;
}

/** "250m", "2", "1.5" cores. */
export function formatCpu(millis: number): string {
  if (millis % 1000 === 0) return String(millis / 1000);
  if (millis < 1000) return `${millis}m`;
  return String(Math.round(millis / 100) / 10);
}

/** "512Mi", "1.5Gi", "900Ki", "12" bytes, in binary units like kubectl describe node. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${Number.isInteger(v) ? v : Math.round(v * 10) / 10}${unit}`;
    }
  }
  return String(bytes);
}

/** Whole percent of part in total; 0 when total is 0. */
export function percent(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}
