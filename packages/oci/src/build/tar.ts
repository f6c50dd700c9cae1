/**
 * A deterministic tar writer for image layers: entries sorted by path, mtime 0, no user or group
 * names, so the same file tree always gives the same bytes (and the same layer digest).
 */

/** One entry of a layer: a path inside the image (no leading slash) and what it is. */
export type TarEntry =
  | { type: 'file'; path: string; mode: number; data: Buffer; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string; uid?: number; gid?: number };

const BLOCK = 512;

/** The entry's path as tar writes it: relative, no `./`, directories end in `/`. */
function tarPath(e: TarEntry): string {
  const p = e.path.replace(/^\/+/, '').replace(/\/+$/, '');
  return e.type === 'dir' ? `${p}/` : p;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar header; `name` must already fit (split into prefix/name or carried by a PAX record). */
function header(name: string, prefix: string, e: TarEntry, size: number, typeflag: string, linkname = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.type === 'symlink' ? 0o777 : e.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(e.uid ?? 0, 8), 108, 'ascii');
  h.write(octal(e.gid ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime 0: layer digests must not depend on build time
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(octal(0, 8), 329, 'ascii');
  h.write(octal(0, 8), 337, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(n: number): Buffer {
  const r = n % BLOCK;
  return Buffer.alloc(r === 0 ? 0 : BLOCK - r);
}

/** ustar's split of a long path into prefix (≤155 bytes) and name (≤100 bytes), or undefined. */
function splitPath(p: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(p) <= 100) return { prefix: '', name: p };
  for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  return undefined;
}

/** A PAX extended header record `"<len> key=value\n"`, where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = Buffer.byteLength(` ${key}=${value}\n`);
  let len = body + 1;
  while (String(len).length + body !== len) len = String(len).length + body;
  return `${len} ${key}=${value}\n`;
}

function entryBlocks(e: TarEntry): Buffer[] {
  const p = tarPath(e);
  const data = e.type === 'file' ? e.data : Buffer.alloc(0);
  const typeflag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
  const linkname = e.type === 'symlink' ? e.target : '';
  const out: Buffer[] = [];
  const pax: string[] = [];
  let split = splitPath(p);
  if (!split) {
    pax.push(paxRecord('path', p));
    split = { prefix: '', name: p.slice(0, 99) };
  }
  if (Buffer.byteLength(linkname) > 100) pax.push(paxRecord('linkpath', linkname));
  if (pax.length > 0) {
    const body = Buffer.from(pax.join(''));
    out.push(header(`PaxHeaders/${split.name}`.slice(0, 99), '', e, body.length, 'x'), body, pad(body.length));
  }
  out.push(header(split.name, split.prefix, e, data.length, typeflag, linkname.slice(0, 100)), data, pad(data.length));
  return out;
}

/**
 * The tar archive of `entries`, sorted by path (byte order), with the two zero blocks at the end.
 * Throws on a duplicate path: a layer with two entries for one path would depend on their order.
 */
export function writeTar(entries: TarEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(tarPath(a)), Buffer.from(tarPath(b))));
  const parts: Buffer[] = [];
  const seen = new Set<string>();
  for (const e of sorted) {
    const p = tarPath(e).replace(/\/$/, '');
    if (seen.has(p)) throw new Error(`duplicate tar entry ${p}`);
    seen.add(p);
    parts.push(...entryBlocks(e));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
