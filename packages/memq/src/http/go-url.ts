/**
 * The pieces of Go's net/url that decide what kuard's router sees and what its redirects say.
 * Paths are "binary strings": one char per byte (0–255), as Go strings are bytes.
 */

/** A request target split like Go's url.ParseRequestURI: decoded path, raw query. */
export interface RequestTarget {
  /** Percent-decoded path as a binary string. */
  path: string;
  /** The raw query after `?` ("" when absent). */
  rawQuery: string;
}

const HEX_VAL = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;

/** Go's unescape in path mode: `%XX` → byte; a bad escape is an error (Go answers 400). */
export function unescapePath(s: string): string | undefined {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x25) {
      out += s[i];
      continue;
    }
    const hi = HEX_VAL(s.charCodeAt(i + 1));
    const lo = HEX_VAL(s.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return undefined;
    out += String.fromCharCode(hi * 16 + lo);
    i += 2;
  }
  return out;
}

/** Parse Node's `req.url` (origin-form, absolute-form or `*`); undefined when Go would reject it. */
export function parseRequestTarget(url: string): RequestTarget | undefined {
  let rest = url;
  if (rest[0] !== '/') {
    if (rest === '*') return { path: '*', rawQuery: '' };
    const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
    if (!abs) return undefined;
    rest = rest.slice(abs[0].length) || '/';
  }
  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const rawQuery = q < 0 ? '' : rest.slice(q + 1);
  const path = unescapePath(rawPath);
  return path === undefined ? undefined : { path, rawQuery };
}

function isPathSafe(c: number): boolean {
  // unreserved, plus the sub-delims and ':' '@' '/' Go leaves alone in a path
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e ||
    c === 0x24 || c === 0x26 || c === 0x2b || c === 0x2c || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40
  );
}

/** Go's url.PathEscape-like escaping of a binary-string path (`escape(path, encodePath)`). */
export function escapePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    out += isPathSafe(c) ? path[i] : '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go's hexEscapeNonASCII: bytes ≥ 0x80 become %XX. */
export function hexEscapeNonAscii(s: string): string {
  return s.replace(/[\u0080-\u00ff]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Go's html.EscapeString as http.Redirect uses it. */
export function htmlEscape(s: string): string {
  return s.replace(/[&'<>"]/g, (c) => (c === '&' ? '&amp;' : c === "'" ? '&#39;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#34;'));
}

/** A binary string (bytes) as a JS string, decoding UTF-8. */
export function binaryToUtf8(s: string): string {
   
  return /[^\u0000-\u007f]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}
