import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneExitJournals, readExitJournal } from './exit-journal.js';
import { type LaunchedRun, Launcher, launcherBinary } from './launcher.js';
import { silentLogger } from './logger.js';
import { isProcessAlive, procStartTime } from './proc.js';
import { waitFor } from '../testing/runtime-harness.js';

let dir: string;
let binary: string;
let launcher: Launcher;
const PATH = 'PATH=/usr/local/bin:/usr/bin:/bin';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kjobs-launcher-'));
  const b = await launcherBinary(silentLogger, { ...process.env, KJOBS_LAUNCHER: '' });
  if (!b) throw new Error('the native launcher did not compile: is a C compiler (cc) installed?');
  binary = b;
  launcher = await Launcher.start(binary, silentLogger);
});
afterAll(async () => {
  launcher.close();
  await rm(dir, { recursive: true, force: true });
});

const exited = (run: LaunchedRun): Promise<[number | null, string | null]> =>
  run.exitCode !== null || run.signalCode !== null
    ? Promise.resolve([run.exitCode, run.signalCode])
    : new Promise((resolve) => run.once('exit', (code: number | null, sig: string | null) => resolve([code, sig])));

async function start(name: string, argv: [string, ...string[]], env: string[] = [PATH]): Promise<LaunchedRun> {
  await mkdir(join(dir, name), { recursive: true });
  return launcher.launch({
    cwd: join(dir, name),
    logFile: join(dir, name, 'log'),
    exitFile: join(dir, name, 'exit'),
    argv,
    env: Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
  });
}

const read = (name: string, file: string): string => readFileSync(join(dir, name, file), 'utf8');

describe('the native container launcher', () => {
  it('runs the program in its cwd with exactly the given env, logs its output and records its exit code', async () => {
    const run = await start('a', ['sh', '-c', 'echo "out $FOO $(pwd)"; echo err >&2; env | grep -c . ; exit 3'], [PATH, 'FOO=bar baz']);
    expect(await exited(run)).toEqual([3, null]);
    // PATH and FOO, plus PWD that sh itself sets: nothing of the agent's environment.
    expect(read('a', 'log')).toBe(`out bar baz ${join(dir, 'a')}\nerr\n3\n`);
    expect(read('a', 'exit')).toBe('3\n');
    expect(existsSync(join(dir, 'a', 'exit.tmp'))).toBe(false);
  });

  it('starts each run as the leader of a new session (pid = the program), with only stdin/stdout/stderr open', async () => {
    const run = await start('b', ['sh', '-c', 'ls /proc/self/fd; ps -o pid=,pgid=,sid= -p $$; exit 0']);
    expect(await exited(run)).toEqual([0, null]);
    const lines = read('b', 'log').trim().split('\n');
    // ls's own fds: 0, 1, 2 and the directory it reads (3). No pipe of the agent or launcher leaks.
    expect(lines.slice(0, -1)).toEqual(['0', '1', '2', '3']);
    const [, pgid, sid] = (lines.at(-1) ?? '').trim().split(/\s+/).map(Number);
    expect(pgid).toBe(run.pid);
    expect(sid).toBe(run.pid);
  });

  it('a program that cannot be run exits 127 with a message in its log', async () => {
    const run = await start('c', ['no-such-program-kjobs']);
    expect(await exited(run)).toEqual([127, null]);
    expect(read('c', 'log')).toMatch(/exec no-such-program-kjobs: No such file or directory/);
    expect(read('c', 'exit')).toBe('127\n');
  });

  it('a cwd that does not exist rejects the launch and leaves nothing running', async () => {
    await expect(launcher.launch({ cwd: join(dir, 'missing'), logFile: join(dir, 'd.log'), exitFile: join(dir, 'd.exit'), argv: ['true'], env: {} })).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'd.exit'))).toBe(false);
  });

  it('a SIGTERM reaches the program, and the exit status it chose is recorded', async () => {
    const run = await start('e', ['sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done']);
    await waitFor('ready', () => existsSync(join(dir, 'e', 'log')) && read('e', 'log').includes('ready'));
    process.kill(run.pid, 'SIGTERM');
    expect(await exited(run)).toEqual([7, null]);
    expect(read('e', 'log')).toContain('got TERM');
    expect(read('e', 'exit')).toBe('7\n');
  });

  it('reports a run killed by a signal as such, and records 128+n in its exit file', async () => {
    const run = await start('f', ['sleep', '30']);
    process.kill(-run.pid, 'SIGKILL');
    expect(await exited(run)).toEqual([null, 'SIGKILL']);
    expect(read('f', 'exit')).toBe('137\n');
  });

  it('holds nothing of the agent\'s environment and is out of reach of signals to the agent\'s process group', () => {
    expect(readFileSync(`/proc/${launcher.pid}/environ`, 'utf8')).toBe('');
    const stat = readFileSync(`/proc/${launcher.pid}/stat`, 'utf8');
    const [pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(2, 4).map(Number);
    expect(pgrp).toBe(launcher.pid);
    expect(session).toBe(launcher.pid);
  });

  it('after its agent is gone it still records the runs it has, then exits', async () => {
    const own = await Launcher.start(binary, silentLogger);
    await mkdir(join(dir, 'g'), { recursive: true });
    const run = await own.launch({ cwd: join(dir, 'g'), logFile: join(dir, 'g', 'log'), exitFile: join(dir, 'g', 'exit'), argv: ['sh', '-c', 'while [ ! -f go ]; do sleep 0.05; done; exit 4'], env: { PATH: '/usr/bin:/bin' } });
    const start = procStartTime(run.pid);
    const launcherPid = own.pid ?? 0;
    own.close();
    expect(isProcessAlive(launcherPid)).toBe(true);
    expect(isProcessAlive(run.pid, start)).toBe(true);
    await writeFile(join(dir, 'g', 'go'), '');
    await waitFor('its exit file', () => existsSync(join(dir, 'g', 'exit')) && read('g', 'exit') === '4\n');
    await waitFor('the launcher to exit', () => !isProcessAlive(launcherPid));
  });

  it('when the launcher is killed, its runs live on and report "lost"', async () => {
    const own = await Launcher.start(binary, silentLogger);
    await mkdir(join(dir, 'h'), { recursive: true });
    const run = await own.launch({ cwd: join(dir, 'h'), logFile: join(dir, 'h', 'log'), exitFile: join(dir, 'h', 'exit'), argv: ['sleep', '30'], env: { PATH: '/usr/bin:/bin' } });
    const start = procStartTime(run.pid);
    const lost = new Promise<void>((resolve) => run.once('lost', resolve));
    process.kill(own.pid ?? 0, 'SIGKILL');
    await lost;
    expect(own.alive).toBe(false);
    await expect(own.launch({ cwd: dir, logFile: join(dir, 'x.log'), exitFile: join(dir, 'x.exit'), argv: ['true'], env: {} })).rejects.toThrow(/launcher/);
    expect(isProcessAlive(run.pid, start)).toBe(true);
    process.kill(-run.pid, 'SIGKILL');
    await waitFor('the orphaned run to end', () => !isProcessAlive(run.pid, start));
  });
});

describe('the native launcher with an exit journal directory', () => {
  it('journals every exit status instead of writing exit files, rotates at 256 KiB, and readExitJournal finds each', async () => {
    const jdir = join(dir, 'journal');
    await mkdir(jdir, { recursive: true });
    const own = await Launcher.start(binary, silentLogger, dir, jdir);
    try {
      await mkdir(join(dir, 'j'), { recursive: true });
      // Long keys (exit file paths are only keys here) so that a few dozen runs fill 256 KiB.
      const key = (i: number) => join(dir, 'j', `${'k'.repeat(3000)}.${i}.exit`);
      const runs = 100;
      for (let i = 0; i < runs; i++) {
        const run = await own.launch({ cwd: join(dir, 'j'), logFile: join(dir, 'j', 'log'), exitFile: key(i), argv: ['sh', '-c', `exit ${i % 7}`], env: { PATH: '/usr/bin:/bin' } });
        expect(await exited(run)).toEqual([i % 7, null]);
      }
      const files = readdirSync(jdir).sort();
      expect(files).toEqual([`${own.pid}.log`, `${own.pid}.old.log`]);
      // The current part holds less than 256 KiB; the old one what came before it.
      expect(statSync(join(jdir, `${own.pid}.log`)).size).toBeLessThan(256 * 1024);
      expect(readdirSync(join(dir, 'j')).filter((f) => f.endsWith('.exit'))).toEqual([]);
      // The runs rotated out twice are gone; every later one is found with its status and time.
      let found = 0;
      for (let i = 0; i < runs; i++) {
        const hit = readExitJournal(jdir, key(i));
        if (!hit) continue;
        found++;
        expect(hit.code).toBe(i % 7);
        expect(Math.abs(hit.mtimeMs - Date.now())).toBeLessThan(60_000);
      }
      expect(found).toBeGreaterThan(80);
      expect(readExitJournal(jdir, key(runs - 1))?.code).toBe((runs - 1) % 7);
      expect(readExitJournal(jdir, join(dir, 'j', 'never.exit'))).toBeUndefined();
    } finally {
      own.close();
    }
    // Once the launcher has ended, its journal is pruned; a live one's would be kept.
    await waitFor('the launcher to end', () => !isProcessAlive(own.pid ?? 0));
    pruneExitJournals(jdir);
    expect(readdirSync(jdir)).toEqual([]);
  });
});
