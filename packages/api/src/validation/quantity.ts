/**
 * Kubernetes `resource.Quantity`: parsing (`100m`, `128Mi`, `1G`, `1e3`, `.5`), the numeric value
 * the scheduler compares, and the canonical string Kubernetes prints (`2000m` → `2`, `1024Mi` → `1Gi`).
 * Values are kept exact as `mantissa × 10^scale` (bigint) until converted to a float.
 */

/** The message Kubernetes gives for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** The message Kubernetes gives for an unknown suffix (`1Ki2`, `5mi`). */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** How a quantity prints: by its suffix family. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** An exact parsed quantity: value = mantissa × 10^scale. */
export interface ParsedQuantity {
  mantissa: bigint;
  scale: number;
  format: QuantityFormat;
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX: Record<number, string> = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const BINARY_SUFFIX: Record<number, string> = Object.fromEntries(Object.entries(BINARY).map(([s, e]) => [e, s]));

/** The Kubernetes error message for `s`, or undefined when it is a valid quantity. */
export function quantityError(s: string): string | undefined {
  try {
    parseQuantityExact(s);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Parse exactly; throws an Error with Kubernetes' message on bad input. */
export function parseQuantityExact(s: string): ParsedQuantity {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(typeof s === 'string' ? s : '');
  if (!s || !m) throw new Error(QUANTITY_FORMAT_ERROR);
  const [, sign, int = '', frac = '', suffix = ''] = m;
  if (!/^[eEinumkKMGTP]*[-+]?\d*$/.test(suffix)) throw new Error(QUANTITY_FORMAT_ERROR);
  let mantissa = BigInt(`${int}${frac}` || '0');
  let scale = -frac.length;
  let format: QuantityFormat;
  if (suffix in BINARY) {
    mantissa *= 2n ** BigInt(BINARY[suffix]!);
    format = 'BinarySI';
  } else if (suffix in DECIMAL) {
    scale += DECIMAL[suffix]!;
    format = 'DecimalSI';
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    scale += Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    throw new Error(QUANTITY_SUFFIX_ERROR);
  }
  if (sign === '-') mantissa = -mantissa;
  return { mantissa, scale, format };
}

/**
 * The numeric value of a quantity: CPU in cores (`100m` → 0.1), memory and storage in bytes
 * (`128Mi` → 134217728). Throws an Error with Kubernetes' message when `s` is not a quantity.
 */
export function parseQuantity(s: string): number {
  const q = parseQuantityExact(s);
  return Number(`${q.mantissa}e${q.scale}`);
}

function removeFactors(m: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (m !== 0n && m % base === 0n) {
    m /= base;
    times++;
  }
  return [m, times];
}

/** Kubernetes rounds anything finer than nano up to the next nano unit. */
function roundToNano(q: ParsedQuantity): ParsedQuantity {
  if (q.scale >= -9) return q;
  const div = 10n ** BigInt(-9 - q.scale);
  let m = q.mantissa / div;
  if (q.mantissa % div !== 0n && q.mantissa > 0n) m += 1n;
  return { ...q, mantissa: m, scale: -9 };
}

/** The canonical string of an exact quantity (`Quantity.String()`). */
export function formatParsedQuantity(input: ParsedQuantity): string {
  const q = roundToNano(input);
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const isInteger = q.scale >= 0 || q.mantissa % 10n ** BigInt(-q.scale) === 0n;
    const whole = q.scale >= 0 ? q.mantissa * 10n ** BigInt(q.scale) : q.mantissa / 10n ** BigInt(-q.scale);
    if (!isInteger || (whole > -1024n && whole < 1024n)) {
      format = 'DecimalSI';
    } else {
      const [amount, times] = removeFactors(whole, 1024n);
      const exp = Math.min(times, 6);
      const value = amount * 1024n ** BigInt(times - exp);
      return `${value}${BINARY_SUFFIX[exp * 10] ?? ''}`;
    }
  }
  let [amount, times] = removeFactors(q.mantissa, 10n);
  let exponent = q.scale + times;
  const rem = ((exponent % 3) + 3) % 3;
  amount *= 10n ** BigInt(rem);
  exponent -= rem;
  if (format === 'DecimalSI' && exponent in DECIMAL_SUFFIX) return `${amount}${DECIMAL_SUFFIX[exponent]}`;
  return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
}

/** The canonical form Kubernetes prints for a quantity string (`2000m` → `2`, `1024Mi` → `1Gi`). */
export function canonicalQuantity(s: string): string {
  return formatParsedQuantity(parseQuantityExact(s));
}

/**
 * Format a number as a quantity in the given family: `formatQuantity(0.1)` → `100m`,
 * `formatQuantity(134217728, 'BinarySI')` → `128Mi`. Values are first rounded to nano units.
 */
export function formatQuantity(value: number, format: QuantityFormat = 'DecimalSI'): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite quantity: ${value}`);
  const nanos = BigInt(Math.round(value * 1e9));
  const exact = Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
  const q: ParsedQuantity = exact ? { mantissa: BigInt(value), scale: 0, format } : { mantissa: nanos, scale: -9, format };
  return formatParsedQuantity(q);
}

/** Compare two quantity strings: negative, zero or positive like `Quantity.Cmp`. */
export function compareQuantities(a: string, b: string): number {
  const qa = parseQuantityExact(a);
  const qb = parseQuantityExact(b);
  const scale = Math.min(qa.scale, qb.scale);
  const ma = qa.mantissa * 10n ** BigInt(qa.scale - scale);
  const mb = qb.mantissa * 10n ** BigInt(qb.scale - scale);
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

/**
 * {@link parseQuantity} for display code, which must not throw: a number passes through, and an
 * absent or malformed quantity is NaN (`quantityValue('64Mi')` → 67108864, `quantityValue('lots')` → NaN).
 */
export function quantityValue(q: string | number | undefined): number {
  if (typeof q === 'number') return q;
  if (q === undefined) return NaN;
  try {
    return parseQuantity(q.trim());
  } catch {
    return NaN;
  }
}
