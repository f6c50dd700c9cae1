import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateJournalFile } from './layout.js';
import type { PodRecord } from './state.js';
import { StateJournal } from './state-journal.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kjobs-journal-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const rec = (uid: string, restartCount = 0): PodRecord => ({
  uid,
  namespace: 'default',
  name: `pod-${uid}`,
  pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${uid}`, uid }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  hostIP: '127.0.0.1',
  startTime: '2026-11-28T00:00:00Z',
  containers: { c: { name: 'c', init: false, restartCount, ready: false, started: false } },
});

const uids = (j: StateJournal) => j.records().map((r) => `${r.uid}:${r.containers.c?.restartCount}`).sort();

describe('StateJournal', () => {
  it('the last save of each pod wins, removed pods are gone, and a new journal on the directory reads the same', () => {
    const j = new StateJournal(root);
    j.save(rec('a'));
    j.save(rec('b'));
    j.save(rec('a', 2));
    j.remove('b');
    j.save(rec('c'));
    expect(uids(j)).toEqual(['a:2', 'c:0']);
    j.close();
    expect(uids(new StateJournal(root))).toEqual(['a:2', 'c:0']);
    // Five lines, one per save or removal: nothing was rewritten.
    expect(readFileSync(stateJournalFile(root), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('a torn last line (a crash mid-write) is skipped, and the next save starts on a line of its own', () => {
    const j = new StateJournal(root);
    j.save(rec('a'));
    j.save(rec('b'));
    j.close();
    const torn = JSON.stringify(rec('a', 5));
    appendFileSync(stateJournalFile(root), torn.slice(0, torn.length / 2));
    const k = new StateJournal(root);
    expect(uids(k)).toEqual(['a:0', 'b:0']);
    k.save(rec('b', 1));
    k.close();
    expect(uids(new StateJournal(root))).toEqual(['a:0', 'b:1']);
  });

  it('compacts once the file outgrows its live records, keeping exactly the live ones', () => {
    const j = new StateJournal(root, 64 * 1024);
    for (let i = 0; i < 400; i++) j.save(rec(`p${i % 5}`, i));
    for (let i = 0; i < 200; i++) {
      j.save(rec(`gone${i}`));
      j.remove(`gone${i}`);
    }
    // Without compaction the file would hold 800 lines (~300 KiB); it holds a few live ones and what came since.
    expect(statSync(stateJournalFile(root)).size).toBeLessThan(64 * 1024);
    const want = ['p0:395', 'p1:396', 'p2:397', 'p3:398', 'p4:399'];
    expect(uids(j)).toEqual(want);
    j.close();
    expect(uids(new StateJournal(root))).toEqual(want);
  });
});
