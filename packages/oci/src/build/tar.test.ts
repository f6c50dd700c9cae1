import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTar, type TarEntry } from './tar.js';

/** `tar -tv` of an archive, as GNU tar prints it (an independent reader). */
function listTar(archive: Buffer): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-tar-'));
  try {
    writeFileSync(path.join(dir, 'a.tar'), archive);
    return execFileSync('tar', ['--numeric-owner', '-tvf', path.join(dir, 'a.tar')], { encoding: 'utf8', env: { TZ: 'UTC', LC_ALL: 'C' } }).trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('writeTar', () => {
  const entries: TarEntry[] = [
    { type: 'file', path: 'usr/bin/x', mode: 0o755, data: Buffer.from('hello') },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'symlink', path: 'bin/sh', target: 'busybox' },
    { type: 'file', path: `deep/${'d'.repeat(120)}/${'f'.repeat(120)}`, mode: 0o644, data: Buffer.alloc(600, 1), uid: 65534, gid: 65534 },
  ];

  it('sorts entries, writes mtime 0, keeps modes, owners, links and long paths', () => {
    const lines = listTar(writeTar(entries));
    expect(lines.map((l) => l.replace(/^.*1970-01-01 00:00 /, ''))).toEqual([
      'bin/sh -> busybox', `deep/${'d'.repeat(120)}/${'f'.repeat(120)}`, 'tmp/', 'usr/bin/x',
    ]);
    expect(lines.every((l) => l.includes('1970-01-01 00:00'))).toBe(true);
    expect(lines[1]).toMatch(/^-rw-r--r-- 65534\/65534 +600 /);
    expect(lines[2]).toMatch(/^drwxrwxrwt 0\/0 /);
    expect(lines[3]).toMatch(/^-rwxr-xr-x 0\/0 +5 /);
  });

  it('gives the same bytes whatever the input order', () => {
    expect(writeTar([...entries].reverse()).equals(writeTar(entries))).toBe(true);
  });

  it('rejects two entries for one path', () => {
    expect(() => writeTar([{ type: 'dir', path: 'a', mode: 0o755 }, { type: 'file', path: 'a/', mode: 0o644, data: Buffer.alloc(0) }])).toThrow(/duplicate/);
  });
});
