/**
 * Go's `fmt.Sprint` of an unstructured JSON value, as kubectl prints one in `-o jsonpath` text
 * and custom columns: a JSON integer is an int64, any other number a float64 (`%v`: shortest
 * digits, exponent below 1e-4 and from 1e6 on), `null` is `<nil>`, maps are `map[k:v …]` with
 * sorted keys and slices `[a b]`.
 */

/** A float64 literal of a template (`1.0` stays a float where the data's `1` is an int). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** `strconv.FormatFloat(v, 'g', -1, 64)`, which `%v` uses. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const sign = v < 0 ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

/** Whether a JSON number decodes to an int64 in unstructured content (else a float64). */
export function isGoInt(v: number): boolean {
  return Number.isInteger(v) && Math.abs(v) < 2 ** 63;
}

/** The Go type of an unstructured value, as client-go's errors name it. */
export function goTypeName(v: unknown): string {
  if (v instanceof GoFloat) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return isGoInt(v) ? 'int64' : 'float64';
    default:
      return 'map[string]interface {}';
  }
}

/** `fmt.Sprint(v)` of an unstructured value. */
export function goSprint(v: unknown): string {
  if (v instanceof GoFloat) return formatGoFloat(v.value);
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return String(v);
    case 'number':
      return isGoInt(v) ? String(v) : formatGoFloat(v);
    case 'object': {
      const o = v as Record<string, unknown>;
      return `map[${Object.keys(o).sort().map((k) => `${k}:${goSprint(o[k])}`).join(' ')}]`;
    }
    default:
      return String(v);
  }
}
