// Pure checks of layer tar entry names: what a name means inside a layer directory, and what is
// refused before anything touches the disk.
import { UnsafeLayerEntryError } from './errors.js';

/** What a whiteout entry asks for, in the overlayfs form. */
export type Whiteout =
  | { kind: 'opaque'; dir: string[] } // `.wh..wh..opq`: hide the lower contents of `dir`
  | { kind: 'file'; target: string[] } // `.wh.<name>`: hide the lower `<name>`
  | { kind: 'meta' }; // under another `.wh..wh.` name (aufs metadata): ignored

/**
 * The path components of an entry name inside the layer: `./` prefixes, empty and `.` components
 * dropped; `[]` is the layer root. Refuses (UnsafeLayerEntryError) absolute names and any `..`
 * component, since either could write outside the layer directory.
 */
export function entryParts(name: string, what = name): string[] {
  if (name.includes('\0')) throw new UnsafeLayerEntryError(what, 'NUL in the name');
  if (name.startsWith('/')) throw new UnsafeLayerEntryError(what, 'absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeLayerEntryError(what, 'path escapes the layer (".." component)');
  return parts;
}

/**
 * The path components a hardlink entry points at. Refuses an absolute or escaping target and an
 * empty one; the caller still checks the target is an earlier entry of the same layer.
 */
export function hardlinkTargetParts(entry: string, linkname: string): string[] {
  if (linkname.startsWith('/')) throw new UnsafeLayerEntryError(entry, `hardlink target "${linkname}" is absolute`);
  if (linkname.split('/').includes('..')) throw new UnsafeLayerEntryError(entry, `hardlink target "${linkname}" escapes the layer`);
  const parts = entryParts(linkname, entry);
  if (parts.length === 0) throw new UnsafeLayerEntryError(entry, 'hardlink to the layer root');
  return parts;
}

/** The whiteout an entry's name denotes, or undefined for an ordinary entry. */
export function whiteoutOf(entry: string, parts: string[]): Whiteout | undefined {
  const base = parts[parts.length - 1];
  const dir = parts.slice(0, -1);
  if (base === '.wh..wh..opq') return { kind: 'opaque', dir };
  if (parts.some((p) => p.startsWith('.wh..wh.'))) return { kind: 'meta' };
  if (base === undefined || !base.startsWith('.wh.')) return undefined;
  const name = base.slice('.wh.'.length);
  if (name === '' || name === '.' || name === '..') throw new UnsafeLayerEntryError(entry, 'whiteout of no file');
  return { kind: 'file', target: [...dir, name] };
}
