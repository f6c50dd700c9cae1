import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerStatus, PodStatus } from '@kjobs/api';
import { groupMembers, isProcessAlive } from './proc.js';
import { Harness, LOOP, forEachStarter, waitFor } from '../testing/runtime-harness.js';

let h: Harness;
afterEach(async () => {
  const left = await h.cleanup();
  expect(left).toEqual([]);
});

const byName = (s: PodStatus, name: string): ContainerStatus => {
  const c = s.containerStatuses?.find((x) => x.name === name);
  if (!c) throw new Error(`no status for ${name}`);
  return c;
};

forEachStarter(() => {
  describe('ProcessRuntime: agent crash and recovery', () => {
    it('a new runtime re-attaches to live shims, learns exits that happened while down, and killOrphans leaves nothing', async () => {
      h = await Harness.create();
      const a = h.rt;
      const pod = h.pod(
        'p',
        [
          { name: 'quick', image: 'busybox', command: ['sh', '-c', 'while [ ! -f "$HOME/go-quick" ]; do sleep 0.05; done; echo bye; exit 7'] },
          { name: 'slow', image: 'busybox', command: ['sh', '-c', 'while [ ! -f "$HOME/go-slow" ]; do sleep 0.05; done; exit 5'] },
          { name: 'stay', image: 'busybox', command: ['sh', '-c', LOOP] },
        ],
        { restartPolicy: 'Never' },
      );
      const uid = pod.metadata.uid ?? '';
      await a.syncPod(pod, {});
      const before = await h.waitStatus(pod, 'all running', (st) => st.containerStatuses?.every((c) => c.state.running) === true);
      const quickPid = a.podRecord(uid)?.containers.quick?.current?.pid ?? 0;

      // 1. The agent "crashes": stop watching without killing anything.
      await a.close();
      // 2. While it is down, one container exits.
      await writeFile(join(h.rootDir, 'pods', uid, 'go-quick'), '');
      await waitFor('quick to exit', () => !isProcessAlive(quickPid));

      // 3. A new agent on the same rootDir.
      const b = h.newRuntime();
      expect(await b.recover()).toEqual([uid]);
      const s = b.podStatus(pod);
      expect(byName(s, 'quick').state.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
      expect(byName(s, 'slow').state.running).toBeDefined();
      expect(byName(s, 'stay').state.running).toBeDefined();
      expect(s.podIP).toBe(before.podIP);
      expect(await b.readLogs(uid, 'quick')).toBe('bye\n');

      // 4. It watches the re-attached shims: an exit after recovery is seen too.
      await writeFile(join(h.rootDir, 'pods', uid, 'go-slow'), '');
      await waitFor('slow exit seen by the new runtime', () => byName(b.podStatus(pod), 'slow').state.terminated?.exitCode === 5);

      // 5. The API no longer binds the pod here: nothing may be left, not even the log of a pod
      //    forgotten by a crash between removing its record and its logs.
      await writeFile(join(h.rootDir, 'logs', 'f0a1b2c3-0000-4000-8000-000000000001.c.0.log'), 'stray\n');
      const pgids = Object.values(b.podRecord(uid)?.containers ?? {}).map((c) => c.current?.pgid ?? 0);
      expect(await b.killOrphans([])).toEqual([uid]);
      for (const g of pgids) expect(groupMembers(g)).toEqual([]);
      expect(existsSync(join(h.rootDir, 'pods', uid))).toBe(false);
      expect(readdirSync(join(h.rootDir, 'logs'))).toEqual([]);
      expect(b.knownPods()).toEqual([]);
    });

    it('after recovery, syncPod resumes the restart policy; pods it is told to keep keep running', async () => {
      h = await Harness.create({ backoff: { initialMs: 50, maxMs: 100 } });
      const keep = h.pod('keep', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'while [ ! -f "$HOME/stop" ]; do sleep 0.05; done; exit 1'] }], { restartPolicy: 'OnFailure' });
      const drop = h.pod('drop', [{ name: 'c', image: 'busybox', command: ['sh', '-c', LOOP] }]);
      await h.rt.syncPod(keep, {});
      await h.rt.syncPod(drop, {});
      await h.waitStatus(keep, 'running', (st) => st.phase === 'Running');
      await h.rt.close();
      const b = h.newRuntime();
      expect((await b.recover()).sort()).toEqual([keep.metadata.uid, drop.metadata.uid].sort());
      expect(await b.killOrphans([keep.metadata.uid ?? ''])).toEqual([drop.metadata.uid]);
      await b.syncPod(keep, {});
      await writeFile(join(h.rootDir, 'pods', keep.metadata.uid ?? '', 'stop'), '');
      // The restarted run sees "stop" and fails again at once: restarts keep coming under OnFailure.
      const s = await h.waitStatus(keep, 'restarted by the new runtime', (st) => byName(st, 'c').restartCount >= 1);
      expect(s.phase).toBe('Running');
      expect(byName(s, 'c').lastState.terminated?.exitCode).toBe(1);
    });
  });

  describe('ProcessRuntime: logs', () => {
    it('readLogs honours tailLines, limitBytes, timestamps, previous and reports errors like the kubelet', async () => {
      h = await Harness.create({ backoff: { initialMs: 50, maxMs: 100 } });
      const script = 'n=$(cat "$HOME/n" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$HOME/n"; echo "run $n line 1"; echo "run $n line 2" >&2; [ "$n" -ge 2 ] && exit 0; exit 1';
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }], { restartPolicy: 'OnFailure' });
      const uid = pod.metadata.uid ?? '';
      await expect(h.rt.readLogs(uid, 'c')).rejects.toThrow('container c is not valid for pod');
      await h.rt.syncPod(pod, {});
      await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded');
      expect(await h.rt.readLogs(uid, 'c')).toBe('run 2 line 1\nrun 2 line 2\n');
      expect(await h.rt.readLogs(uid, 'c', { previous: true })).toBe('run 1 line 1\nrun 1 line 2\n');
      expect(await h.rt.readLogs(uid, 'c', { tailLines: 1 })).toBe('run 2 line 2\n');
      expect(await h.rt.readLogs(uid, 'c', { limitBytes: 5 })).toBe('run 2');
      const stamped = await h.rt.readLogs(uid, 'c', { timestamps: true });
      expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z run 2 line 1\n\S+Z run 2 line 2\n$/);
      const stamp = Date.parse(stamped.slice(0, stamped.indexOf(' ')));
      expect(Math.abs(Date.now() - stamp)).toBeLessThan(60_000);
      await expect(h.rt.readLogs(uid, 'nope')).rejects.toMatchObject({ code: 400 });
      await expect(h.rt.readLogs(uid, '__proto__')).rejects.toThrow('container __proto__ is not valid for pod p');
    });

    it('--previous without a previous run and a container that never started are 400s', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo x'] }, { name: 'bad', image: 'not-in-catalog' }], { restartPolicy: 'Never' });
      const uid = pod.metadata.uid ?? '';
      await h.rt.syncPod(pod, {});
      await expect(h.rt.readLogs(uid, 'c', { previous: true })).rejects.toThrow('previous terminated container "c" in pod "p" not found');
      await expect(h.rt.readLogs(uid, 'bad')).rejects.toThrow('container "bad" in pod "p" is waiting to start: CreateContainerConfigError');
    });

    it('followLogs streams output as it is written and ends with the container', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo first; while [ ! -f "$HOME/more" ]; do sleep 0.05; done; echo second; sleep 0.2; echo third'] }], { restartPolicy: 'Never' });
      const uid = pod.metadata.uid ?? '';
      await h.rt.syncPod(pod, {});
      await waitFor('first line', async () => (await h.rt.readLogs(uid, 'c')) === 'first\n');
      let got = '';
      const ac = new AbortController();
      const done = h.rt.followLogs(uid, 'c', {}, (chunk) => (got += chunk), ac.signal);
      await waitFor('first streamed', () => got === 'first\n');
      await writeFile(join(h.rootDir, 'pods', uid, 'more'), '');
      await waitFor('second streamed before the end', () => got === 'first\nsecond\n');
      await done;
      expect(got).toBe('first\nsecond\nthird\n');
      expect(h.rt.podStatus(pod).phase).toBe('Succeeded');
    });

    it('followLogs stops when the signal aborts, with timestamps on complete lines', async () => {
      h = await Harness.create();
      const pod = h.pod('p', [{ name: 'c', image: 'busybox', command: ['sh', '-c', `echo one; ${LOOP}`] }]);
      const uid = pod.metadata.uid ?? '';
      await h.rt.syncPod(pod, {});
      await waitFor('output', async () => (await h.rt.readLogs(uid, 'c')) !== '');
      const chunks: string[] = [];
      const ac = new AbortController();
      const done = h.rt.followLogs(uid, 'c', { timestamps: true }, (c) => chunks.push(c), ac.signal);
      await waitFor('a chunk', () => chunks.length > 0);
      ac.abort();
      await done;
      expect(chunks.join('')).toMatch(/^\S+Z one\n$/);
    });
  });
});
