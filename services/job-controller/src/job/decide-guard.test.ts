import { describe, expect, it } from 'vitest';
import { jobSyncGuard } from './decide-guard.js';
import { makeJob, ts } from './test-fixtures.js';

describe('jobSyncGuard', () => {
  it.each([
    ['an ordinary Job is synced', makeJob(), undefined],
    ['managed by this controller', makeJob({ managedBy: 'kubernetes.io/job-controller' }), undefined],
    ['managed by another controller', makeJob({ managedBy: 'example.com/other' }), { skipped: 'managedByOther' }],
    ['finished', makeJob({}, { startTime: ts(0), completionTime: ts(1), conditions: [{ type: 'Complete', status: 'True' }] }), { skipped: 'finished' }],
    // The API server rejects an unknown mode, so this is reachable only here.
    [
      'unknown completion mode: skipped with a warning',
      makeJob({ completionMode: 'Weird' as never }),
      { skipped: 'unknownCompletionMode', event: { type: 'Warning', reason: 'UnknownCompletionMode', message: 'Skipped Job sync because completion mode is unknown' } },
    ],
  ])('%s', (_n, job, want) => {
    expect(jobSyncGuard(job)).toEqual(want);
  });
});
