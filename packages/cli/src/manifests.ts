import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { KObject } from '@kjobs/api';
import { CliError } from './errors.js';

/** One object read from a manifest, with where it came from (for messages). */
export interface Manifest {
  object: KObject;
  /** The file name as the user gave it, or "STDIN". */
  source: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Parse one manifest text: multi-document YAML (or JSON); empty documents are skipped and a
 * `kind: List` is flattened into its items, as kubectl does.
 */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: false });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) throw new CliError(`error parsing ${source}: ${doc.errors[0]!.message.split('\n')[0]}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`error validating "${source}": a manifest must be an object`);
    const obj = value as KObject;
    if (obj.kind === 'List' || (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items))) {
      for (const item of (obj.items as KObject[] | undefined) ?? []) out.push({ object: item, source });
      continue;
    }
    if (!obj.apiVersion || !obj.kind) {
      throw new CliError(`error validating "${source}": error validating data: [${!obj.apiVersion ? 'apiVersion not set' : ''}${!obj.apiVersion && !obj.kind ? ', ' : ''}${!obj.kind ? 'kind not set' : ''}]`);
    }
    obj.metadata ??= {};
    out.push({ object: obj, source });
  }
  return out;
}

/**
 * Read every `-f` argument: a file, a directory (its .yaml/.yml/.json files in name order;
 * subdirectories too with `recursive`), or "-" for stdin.
 */
export async function readManifests(files: string[], cwd: string, readStdin: () => Promise<string>, recursive = false): Promise<Manifest[]> {
  if (files.length === 0) throw new CliError('must specify one of -f and -k');
  const out: Manifest[] = [];
  const readPath = (p: string, shown: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new CliError(`the path "${shown}" does not exist`);
    }
    if (st.isDirectory()) {
      if (!top && !recursive) return;
      for (const name of readdirSync(p).sort()) {
        const child = path.join(p, name);
        const shownChild = path.join(shown, name);
        if (statSync(child).isDirectory()) readPath(child, shownChild, false);
        else if (EXTENSIONS.has(path.extname(name))) out.push(...parseManifests(readFileSync(child, 'utf8'), shownChild));
      }
      return;
    }
    out.push(...parseManifests(readFileSync(p, 'utf8'), shown));
  };
  for (const f of files) {
    if (f === '-') out.push(...parseManifests(await readStdin(), 'STDIN'));
    else readPath(path.resolve(cwd, f), f, true);
  }
  return out;
}
