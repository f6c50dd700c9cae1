import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isApiError } from '@kjobs/api';
import { execInPod, type ExecTarget } from './exec.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target = (over: Partial<ExecTarget> = {}): ExecTarget => ({ env: { PATH: '/usr/bin:/bin', GREETING: 'hi there' }, cwd: dir, isRunning: () => true, ...over });
const text = async (r: Readable | null) => {
  let s = '';
  for await (const c of r ?? []) s += String(c);
  return s;
};

describe('execInPod (process runtime)', () => {
  it('runs argv in the container\'s directory and environment, stdout and stderr apart, with its exit code', async () => {
    const p = await execInPod(target(), 'c', ['sh', '-c', 'echo "$GREETING"; pwd; echo oops >&2; exit 7'], { tty: false, stdin: false });
    const [out, err, code] = await Promise.all([text(p.stdout), text(p.stderr), p.exit]);
    expect(out).toBe(`hi there\n${dir}\n`);
    expect(err).toBe('oops\n');
    expect(code).toBe(7);
    expect(p.stdin).toBeNull();
  });

  it('pipes stdin to the end', async () => {
    const p = await execInPod(target(), 'c', ['cat'], { tty: false, stdin: true });
    p.stdin!.end('one\ntwo\n');
    expect(await text(p.stdout)).toBe('one\ntwo\n');
    expect(await p.exit).toBe(0);
  });

  it('with a tty, stderr comes on stdout', async () => {
    const p = await execInPod(target(), 'c', ['sh', '-c', 'echo out; echo err >&2'], { tty: true, stdin: false });
    expect(p.stderr).toBeNull();
    expect((await text(p.stdout)).replace(/\r/g, '').split('\n').filter(Boolean).sort()).toEqual(['err', 'out']);
    expect(await p.exit).toBe(0);
  });

  it('refuses a container that does not run, and a program that is not there', async () => {
    const refused = await execInPod(undefined, 'web', ['true'], { tty: false, stdin: false }).catch((e: unknown) => e);
    expect(isApiError(refused, 400) && refused.message).toBe('container not found ("web")');
    const missing = await execInPod(target(), 'c', ['no-such-program'], { tty: false, stdin: false }).catch((e: unknown) => e);
    expect(isApiError(missing, 500) && missing.message).toContain('exec: "no-such-program": executable file not found in $PATH');
  });

  it('ends with its container: the command and what it started are killed', async () => {
    let running = true;
    const p = await execInPod(target({ isRunning: () => running }), 'c', ['sh', '-c', 'sleep 30 & sleep 30'], { tty: false, stdin: false });
    running = false;
    expect(await p.exit).toBe(137);
  });

  it('kill() ends it at once', async () => {
    const p = await execInPod(target(), 'c', ['sleep', '30'], { tty: false, stdin: false });
    p.kill();
    expect(await p.exit).toBe(137);
  });
});
