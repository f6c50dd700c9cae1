import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { installShim } from './shim.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-shim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A SIGTERM that reached the shim while its child was forked but not yet the program was taken by
// the shell's inherited handler and lost at the exec: the program ran on until SIGKILL (about 1 in
// 20 runs with the TERM a few milliseconds after the start).
it('forwards a SIGTERM sent right after the start: the program always gets it', async () => {
  const shim = await installShim(dir);
  const hung: number[] = [];
  for (let i = 0; i < 40; i++) {
    const p = spawn('sh', [shim, path.join(dir, `exit-${i}`), 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done'], { stdio: 'ignore', detached: true });
    await sleep(i % 8);
    p.kill('SIGTERM');
    const exited = new Promise<boolean>((resolve) => p.once('exit', () => resolve(true)));
    if (!(await Promise.race([exited, sleep(15_000, false)]))) {
      hung.push(i);
      process.kill(-p.pid!, 'SIGKILL');
    }
  }
  expect(hung).toEqual([]);
}, 600_000);
