/**
 * Counting survives the controller dying between any two writes, and a sync pairs its pod
 * snapshot with expectations read before it: the real JobController on a real in-process
 * api-server (memory store), killed before its n-th write.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@kjobs/api';
import { startApiBed, type ApiBed } from '../testing/controller-bed.js';
import { JobTestCluster } from '../testing/job-test-cluster.js';
import { clusterEach, counts, round, untilFinished } from '../testing/rounds.js';
import { T0, makeJob, makePod, ts } from './test-fixtures.js';

const cluster = clusterEach();

describe('crash between any two writes never loses or doubles a pod', () => {
  const scenario = () => makeJob({ completions: 3, parallelism: 3, backoffLimit: 100 });

  it.each(Array.from({ length: 14 }, (_, n) => n))('controller dies before write %i of the finishing sync', async (n) => {
    const c = await cluster(scenario());
    await round(c);
    await c.finish(c.created[0]!, 0);
    await c.finish(c.created[1]!, 1);
    c.rec.crashAfter = c.rec.writes + n;
    await round(c);
    c.restartController();
    await untilFinished(c, async (c) => {
      await c.finishRunning(0);
      c.advance(700);
    });
    expect(counts(c).succeeded).toBe(c.count('Succeeded'));
    expect(counts(c).failed).toBe(c.count('Failed'));
    expect(counts(c)).toMatchObject({ succeeded: 3, failed: 1 });
  });

  // One api-server for every run (each run its own Job): 150 harnesses would cost more than the runs.
  let shared: ApiBed;
  let runs = 0;
  beforeAll(async () => {
    shared = await startApiBed(T0);
  });
  afterAll(async () => {
    await shared.harness.stop();
  });

  it('holds for random Jobs, random pod outcomes and random crash points', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          completions: fc.integer({ min: 1, max: 6 }),
          parallelism: fc.integer({ min: 1, max: 4 }),
          backoffLimit: fc.integer({ min: 0, max: 8 }),
          indexed: fc.boolean(),
          steps: fc.array(fc.record({ crashAt: fc.option(fc.integer({ min: 0, max: 8 })), fail: fc.array(fc.boolean(), { maxLength: 6 }) }), { minLength: 1, maxLength: 40 }),
        }),
        async ({ completions, parallelism, backoffLimit, indexed, steps }) => {
          const job: Job = makeJob({ completions, parallelism, backoffLimit, completionMode: indexed ? 'Indexed' : 'NonIndexed' }, undefined, { name: `pi-${++runs}` });
          const c = await JobTestCluster.start(job, T0, { harness: shared }); // stopped by the run: 150 live informers would slow every later run
          const check = () => {
            const st = c.job.status ?? {};
            expect((st.succeeded ?? 0) + (st.uncountedTerminatedPods?.succeeded?.length ?? 0)).toBeLessThanOrEqual(c.count('Succeeded'));
          };
          for (const step of [...steps, ...Array.from({ length: 30 }, () => ({ crashAt: null, fail: [] as boolean[] }))]) {
            c.rec.crashAfter = step.crashAt === null ? undefined : c.rec.writes + step.crashAt;
            await round(c);
            c.restartController();
            check();
            if (c.finished()) break;
            const running = c.activePods().filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.name!);
            await c.finishMany(running, (n) => (step.fail[running.indexOf(n)] ? 1 : 0));
            await c.killTerminating();
            c.advance(700);
          }
          expect(c.finished()).toBe(true);
          await c.killTerminating();
          expect(counts(c).succeeded).toBe(indexed ? Math.min(c.count('Succeeded'), completions) : c.count('Succeeded'));
          expect(counts(c).failed).toBe(c.count('Failed'));
          expect(c.maxActive).toBeLessThanOrEqual(parallelism);
          await c.stop();
        },
      ),
      { numRuns: Number(process.env.PROP_RUNS ?? 150), endOnFailure: true },
    );
  });
});

describe('syncJob: expectations read before the pods', () => {
  /**
   * The job-controller's race, frozen: pod p0 was counted (succeeded 1) and its finalizer removal
   * sent; the cache still shows the finalizer. While the sync reads its pods (claimPods awaits the
   * adoption of an orphan), the informer observes the removal and drops p0 from the live
   * expectations. With the expectations read before the pods, p0 is still expected and is not
   * counted again.
   */
  const seed = () => {
    const job = makeJob({ completions: 3, parallelism: 1 }, { succeeded: 1, active: 0, uncountedTerminatedPods: {}, startTime: ts(0) });
    const orphan = makePod(job, 'orphan', { phase: 'Pending', finalizer: false });
    orphan.metadata.ownerReferences = [];
    return { job, pods: [makePod(job, 'p0', { phase: 'Succeeded' }), orphan] }; // p0 still carries the finalizer
  };
  const statusWrites = (c: JobTestCluster) => c.rec.log.flatMap((w) => (w.op === 'updateJobStatus' ? [c.uids.toFixture(w.status)] : []));

  it('a pod whose finalizer removal is still expected when the pods were read is not counted twice', async () => {
    const { job, pods } = seed();
    const c = await cluster(job, { pods });
    await c.settle();
    c.controller.deps.finalizers.expectUids(c.key, [c.uids.real('uid-p0')]);
    c.rec.beforeWrite = (w) => {
      if (w.op === 'patchPod' && w.name === 'orphan') c.controller.deps.finalizers.observed(c.key, c.uids.real('uid-p0'));
    };
    expect((await c.sync()).error).toBeUndefined();
    expect(c.rec.log.some((w) => w.op === 'patchPod' && w.name === 'orphan')).toBe(true); // the adoption happened mid-read
    for (const st of statusWrites(c)) {
      expect(st.uncountedTerminatedPods?.succeeded ?? []).not.toContain('uid-p0');
      expect(st.succeeded).toBe(1);
    }
  });

  it('the same snapshot without the expectation counts p0 again: the double count the order prevents', async () => {
    const { job, pods } = seed();
    const c = await cluster(job, { pods });
    await c.sync();
    expect(statusWrites(c).some((st) => (st.uncountedTerminatedPods?.succeeded ?? []).includes('uid-p0') || (st.succeeded ?? 0) > 1)).toBe(true);
  });
});
