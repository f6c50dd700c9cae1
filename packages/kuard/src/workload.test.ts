import { describe, expect, it } from 'vitest';
import type { KeyGenConfig } from './flags.js';
import { itemDoneLine, runWorkload } from './workload.js';

const base: KeyGenConfig = { enable: true, numToGen: 0, timeToRun: 0, memQServer: '', memQQueue: '', exitOnComplete: false, exitCode: 0 };

/** A fake world: each key takes the next duration from `steps` on a fake clock. */
function world(steps: number[], signal = new AbortController().signal) {
  let t = 0;
  let i = 0;
  const lines: string[] = [];
  const exits: number[] = [];
  return {
    lines,
    exits,
    deps: {
      out: (s: string) => lines.push(s),
      generateKey: async () => {
        t += steps[i % steps.length]!;
        return `SHA256:key${++i}`;
      },
      exit: (code: number) => exits.push(code),
      now: () => t,
      signal,
    },
  };
}

describe('itemDoneLine', () => {
  it.each([
    [0, 1, 3, undefined, 'SHA256:x', '(ID 0 1/3) Item done: SHA256:x'],
    [2, 5, 0, undefined, 'SHA256:x', '(ID 2 5/Inf) Item done: SHA256:x'],
    [0, 1, 0, '3 seconds left', 'SHA256:x', '(ID 0 1/Inf 3 seconds left) Item done: SHA256:x'],
    [0, 1, 0, undefined, '', '(ID 0 1/Inf) Item done'],
  ])('id=%d n=%d/%d left=%s', (id, n, total, left, desc, want) => {
    expect(itemDoneLine(id, n, total, left, desc)).toBe(want);
  });
});

describe('runWorkload (pkg/keygen/workload.go)', () => {
  it('the oneshot job: 3 keys, then exits with the exit code', async () => {
    const w = world([700]);
    await runWorkload(0, { ...base, numToGen: 3, exitOnComplete: true, exitCode: 1 }, w.deps);
    expect(w.lines).toEqual([
      '(ID 0) Workload starting',
      '(ID 0 1/3) Item done: SHA256:key1',
      '(ID 0 2/3) Item done: SHA256:key2',
      '(ID 0 3/3) Item done: SHA256:key3',
      '(ID 0) Workload exiting',
    ]);
    expect(w.exits).toEqual([1]);
  });

  it('without exit-on-complete it does not exit (the exit code is ignored)', async () => {
    const w = world([10]);
    await runWorkload(0, { ...base, numToGen: 2, exitCode: 7 }, w.deps);
    expect(w.lines.at(-1)).toBe('(ID 0) Workload exiting');
    expect(w.exits).toEqual([]);
  });

  it('time-to-run: checked before each key, so the last key can be overdue', async () => {
    const w = world([600, 1000, 1300, 600, 2000]);
    await runWorkload(0, { ...base, timeToRun: 4, exitOnComplete: true }, w.deps);
    expect(w.lines).toEqual([
      '(ID 0) Workload starting',
      '(ID 0 1/Inf 3 seconds left) Item done: SHA256:key1',
      '(ID 0 2/Inf 2 seconds left) Item done: SHA256:key2',
      '(ID 0 3/Inf 1 second left) Item done: SHA256:key3',
      '(ID 0 4/Inf now) Item done: SHA256:key4',
      '(ID 0 5/Inf 1 second overdue) Item done: SHA256:key5',
      '(ID 0) Workload exiting',
    ]);
    expect(w.exits).toEqual([0]);
  });

  it('whichever limit comes first wins', async () => {
    const w = world([100]);
    await runWorkload(3, { ...base, numToGen: 2, timeToRun: 60 }, w.deps);
    expect(w.lines).toEqual([
      '(ID 3) Workload starting',
      '(ID 3 1/2 59 seconds left) Item done: SHA256:key1',
      '(ID 3 2/2 59 seconds left) Item done: SHA256:key2',
      '(ID 3) Workload exiting',
    ]);
  });

  it('a cancel lets the current key finish, logs exiting and never exits the process', async () => {
    const ac = new AbortController();
    const w = world([10], ac.signal);
    const gen = w.deps.generateKey;
    w.deps.generateKey = async () => {
      const r = await gen();
      if (w.lines.length === 2) ac.abort();
      return r;
    };
    await runWorkload(0, { ...base, exitOnComplete: true }, w.deps);
    expect(w.lines).toEqual(['(ID 0) Workload starting', '(ID 0 1/Inf) Item done: SHA256:key1', '(ID 0 2/Inf) Item done: SHA256:key2', '(ID 0) Workload exiting']);
    expect(w.exits).toEqual([]);
  });
});
