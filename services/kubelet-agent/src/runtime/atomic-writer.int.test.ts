import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { payloadDirPrefix, writeAtomically } from './atomic-writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const file = (p: string, s: string, mode = 0o644) => ({ path: p, data: Buffer.from(s), mode });

describe('writeAtomically (the kubelet AtomicWriter layout)', () => {
  it('payloadDirPrefix is the Go layout ..2006_01_02_15_04_05.', () => {
    expect(payloadDirPrefix(new Date('2026-01-02T03:04:05.678Z'))).toBe('..2026_01_02_03_04_05.');
  });

  it('writes ..data, top-level links and modes; an update swaps ..data and drops what is gone', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kjobs-aw-'));
    dirs.push(root);
    const dir = path.join(root, 'vol');
    await writeAtomically(dir, [file('a', 'one'), file('sub/b', 'two', 0o400)], new Date());
    const first = readlinkSync(path.join(dir, '..data'));
    expect(first).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    expect(readlinkSync(path.join(dir, 'a'))).toBe('..data/a');
    expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('one');
    expect(readFileSync(path.join(dir, 'sub', 'b'), 'utf8')).toBe('two');
    expect(statSync(path.join(dir, 'sub', 'b')).mode & 0o777).toBe(0o400);
    expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o644);

    await writeAtomically(dir, [file('a', 'uno'), file('c', 'three')], new Date());
    const second = readlinkSync(path.join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('uno');
    expect(readFileSync(path.join(dir, 'c'), 'utf8')).toBe('three');
    expect(() => lstatSync(path.join(dir, 'sub'))).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['..data', second, 'a', 'c'].sort());
  });
});
