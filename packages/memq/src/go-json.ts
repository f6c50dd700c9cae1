import { isUtf8 } from 'node:buffer';

/**
 * JSON string encoding exactly as Go's encoding/json does it with HTML escaping on (the default of
 * `json.NewEncoder`, which kuard uses), Go 1.12:
 * - `"` and `\` are backslash-escaped; `\n`, `\r`, `\t` get short escapes;
 * - other bytes below 0x20 and `<`, `>`, `&` become `\u00XX` (lowercase hex; no `\b` or `\f`);
 * - U+2028 and U+2029 become `\u2028` / `\u2029`;
 * - each byte that is not part of valid UTF-8 becomes the six characters `\ufffd`;
 * - everything else (DEL and all valid non-ASCII) is written raw.
 */

const HEX = '0123456789abcdef';
/** True for ASCII bytes Go writes unescaped. */
const SAFE = new Uint8Array(128);
for (let b = 0x20; b < 0x80; b++) SAFE[b] = 1;
for (const c of '"\\<>&') SAFE[c.charCodeAt(0)] = 0;

const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

function escapeAscii(b: number): string {
  switch (b) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    default:
      return '\\u00' + HEX[b >> 4] + HEX[b & 0xf];
  }
}

/** Go's encoding of a string that came from valid UTF-8 (a JS string); lone surrogates → `\ufffd`. */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x80) {
      if (SAFE[c] === 1) continue;
      rep = escapeAscii(c);
    } else if (c === 0x2028 || c === 0x2029) {
      rep = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      rep = '\\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      rep = '\\ufffd';
    } else {
      continue;
    }
    out += s.slice(start, i) + rep;
    start = i + 1;
  }
  return out + s.slice(start) + '"';
}

/** Length of the valid UTF-8 sequence at `i` per Go's utf8.DecodeRune, or 0 when invalid. */
function utf8SeqLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  const n = buf.length;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < n && buf[j]! >= lo && buf[j]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/** Go's encoding of raw bytes held in a Go string (a request body), byte for byte. */
export function goJsonBytes(buf: Buffer): string {
  let plain = true;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b >= 0x80 || SAFE[b] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return '"' + buf.toString('latin1') + '"';
  if (isUtf8(buf)) return goJsonString(buf.toString('utf8'));
  // Invalid UTF-8 somewhere: walk the bytes the way Go does, one U+FFFD escape per bad byte.
  let out = '"';
  let start = 0;
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    if (b < 0x80) {
      if (SAFE[b] === 1) {
        i++;
        continue;
      }
      out += buf.toString('utf8', start, i) + escapeAscii(b);
      start = ++i;
      continue;
    }
    const len = utf8SeqLength(buf, i);
    if (len === 0) {
      out += buf.toString('utf8', start, i) + '\\ufffd';
      start = ++i;
      continue;
    }
    if (len === 3 && b === 0xe2 && buf[i + 1] === 0x80 && (buf[i + 2] === 0xa8 || buf[i + 2] === 0xa9)) {
      out += buf.toString('utf8', start, i) + (buf[i + 2] === 0xa8 ? '\\u2028' : '\\u2029');
      start = i + 3;
    }
    i += len;
  }
  return out + buf.toString('utf8', start) + '"';
}

/**
 * Encode a JSON value like Go's `json.Marshal` with HTML escaping: compact, object keys in the
 * given (insertion) order, strings per `goJsonString`. Only plain data (no Dates, no undefined in arrays).
 */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goJsonString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map(goJson).join(',') + ']';
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) parts.push(goJsonString(k) + ':' + goJson(v));
      }
      return '{' + parts.join(',') + '}';
    }
    default:
      return 'null';
  }
}

/**
 * Like Go's `json.MarshalIndent(v, "", "  ")`: two-space indent, `"key": value`, HTML-escaped
 * strings; `sortKeys` sorts object keys as Go does for maps.
 */
export function goJsonIndent(value: unknown, sortKeys = false, indent = ''): string {
  if (value === null || typeof value !== 'object') return goJson(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\n' + value.map((v) => inner + goJsonIndent(v, sortKeys, inner)).join(',\n') + '\n' + indent + ']';
  }
  let entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  if (sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    '{\n' +
    entries.map(([k, v]) => inner + goJsonString(k) + ': ' + goJsonIndent(v, sortKeys, inner)).join(',\n') +
    '\n' +
    indent +
    '}'
  );
}
