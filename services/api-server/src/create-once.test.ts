import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDirOnce, readOrCreateFile } from './create-once.js';
import { loadOrCreatePki } from './pki.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'kjobs-once-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('made once by whichever api-server comes first', () => {
  it('readOrCreateFile: the first contents stay; a later maker is not used; no temporary file is left', () => {
    const d = tmp();
    const f = path.join(d, 'sub', 'tokens.csv');
    expect(readOrCreateFile(f, () => 'first\n')).toBe('first\n');
    expect(readOrCreateFile(f, () => 'second\n')).toBe('first\n');
    expect(readdirSync(path.dirname(f))).toEqual(['tokens.csv']);
  });

  it('readOrCreateFile: a file that appears while the maker runs wins over the maker', () => {
    const f = path.join(tmp(), 'cluster-id');
    expect(readOrCreateFile(f, () => (writeFileSync(f, 'other\n'), 'mine\n'))).toBe('other\n');
  });

  it('createDirOnce: an existing non-empty directory is left as it is', () => {
    const d = path.join(tmp(), 'pki');
    expect(createDirOnce(d, (t) => writeFileSync(path.join(t, 'a'), '1'))).toBe(true);
    expect(createDirOnce(d, (t) => writeFileSync(path.join(t, 'b'), '2'))).toBe(false);
    expect(readdirSync(d)).toEqual(['a']);
    expect(readdirSync(path.dirname(d))).toEqual(['pki']);
  });

  it('loadOrCreatePki: two api-servers starting at once serve the same CA and certificate', async () => {
    const d = path.join(tmp(), 'pki');
    const [x, y] = await Promise.all([loadOrCreatePki(d), loadOrCreatePki(d)]);
    expect(y.caCert).toBe(x.caCert);
    expect(y.cert).toBe(x.cert);
    expect(y.key).toBe(x.key);
    expect(readdirSync(d).sort()).toEqual(['apiserver.crt', 'apiserver.key', 'ca.crt', 'ca.key']);
  }, 60_000);
});
