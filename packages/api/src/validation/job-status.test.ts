import { describe, expect, it } from 'vitest';
import { validateJobStatusUpdate } from './job-status.js';
import { clone, validJob, type Json } from '../testing/fixtures.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const T0 = '2026-03-01T10:00:00Z';
const T1 = '2026-03-01T10:05:00Z';
const cond = (type: string, status = 'True') => ({ type, status });

function stored(status: Json, edit: (j: Json) => void = () => {}): Json {
  const j = validJob(edit);
  j.metadata.resourceVersion = '7';
  j.status = status;
  return j;
}

describe('validateJobStatusUpdate', () => {
  it.each<[string, Json, Json, string[]]>([
    ['start running', {}, { startTime: T0, active: 1, ready: 0 }, []],
    ['complete properly', { startTime: T0, active: 1 }, { startTime: T0, active: 0, succeeded: 1, completionTime: T1, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] }, []],
    ['fail properly', { startTime: T0, active: 1 }, { startTime: T0, failed: 7, conditions: [cond('FailureTarget'), cond('Failed')] }, []],
    ['failed counter goes down', { startTime: T0, failed: 3 }, { startTime: T0, failed: 2 }, ['status.failed: Invalid value: 2: cannot decrease the failed counter']],
    ['succeeded counter goes down', { startTime: T0, succeeded: 3 }, { startTime: T0, succeeded: 1 }, ['status.succeeded: Invalid value: 1: cannot decrease the succeeded counter']],
    ['ready above active', { startTime: T0, active: 1 }, { startTime: T0, active: 1, ready: 2 }, ['status.ready: Invalid value: 2: cannot set more ready pods than active']],
    ['negative active', { startTime: T0 }, { startTime: T0, active: -1 }, ['status.active: Invalid value: -1: must be greater than or equal to 0']],
    ['Complete and Failed together', { startTime: T0 }, { startTime: T0, completionTime: T1, conditions: [cond('Complete'), cond('Failed')] }, [
      'status.conditions: Invalid value: cannot set Complete=True and Failed=true conditions',
    ]],
    ['completionTime without Complete', { startTime: T0 }, { startTime: T0, completionTime: T1 }, [`status.completionTime: Invalid value: "${T1}": cannot set completionTime when there is no Complete=True condition`]],
    ['Complete without completionTime', { startTime: T0 }, { startTime: T0, conditions: [cond('Complete')] }, ['status.completionTime: Required value: completionTime is required for Complete jobs']],
    ['completionTime before startTime', { startTime: T1 }, { startTime: T1, completionTime: T0, conditions: [cond('Complete')] }, [`status.completionTime: Invalid value: "${T0}": completionTime cannot be set before startTime`]],
    ['completionTime changed', { startTime: T0, completionTime: T1, conditions: [cond('Complete')] }, { startTime: T0, completionTime: '2026-03-01T11:00:00Z', conditions: [cond('Complete')] }, [
      'status.completionTime: Invalid value: "2026-03-01T11:00:00Z": completionTime cannot be mutated',
    ]],
    ['terminal condition turned off', { startTime: T0, conditions: [cond('FailureTarget'), cond('Failed')] }, { startTime: T0, conditions: [cond('FailureTarget'), cond('Failed', 'False')] }, [
      'status.conditions: Invalid value: cannot disable the terminal Failed=True condition',
    ]],
    ['finished with active pods', { startTime: T0, active: 1 }, { startTime: T0, active: 1, conditions: [cond('FailureTarget'), cond('Failed')] }, ['status.active: Invalid value: 1: active>0 is invalid for finished job']],
    ['finished without startTime', {}, { conditions: [cond('FailureTarget'), cond('Failed')] }, ['status.startTime: Required value: startTime is required for finished job']],
    ['startTime removed while running', { startTime: T0 }, {}, ['status.startTime: Required value: startTime cannot be removed for unsuspended job']],
    ['startTime reset on resume (stored status Suspended=True)', { startTime: T0, conditions: [cond('Suspended')] }, { startTime: T1, conditions: [cond('Suspended', 'False')] }, []],
    ['finished with uncounted pods', { startTime: T0, uncountedTerminatedPods: { failed: ['a'] } }, { startTime: T0, uncountedTerminatedPods: { failed: ['a'] }, conditions: [cond('FailureTarget'), cond('Failed')] }, [
      'status.uncountedTerminatedPods: Invalid value: {"failed":["a"]}: uncountedTerminatedPods needs to be empty for finished job',
    ]],
    ['duplicate uncounted uid', { startTime: T0 }, { startTime: T0, uncountedTerminatedPods: { succeeded: ['a'], failed: ['a'] } }, ['status.uncountedTerminatedPods.failed[0]: Duplicate value: "a"']],
    ['completedIndexes on a NonIndexed job', { startTime: T0 }, { startTime: T0, completedIndexes: '0' }, ['status.completedIndexes: Invalid value: "0": cannot set non-empty completedIndexes when non-indexed completion mode']],
  ])('%s', (_, before, after, want) => {
    const old = stored(before);
    const job = clone(old);
    job.status = after;
    expect(msgs(validateJobStatusUpdate(job, old))).toEqual(want);
  });

  it('rules fire only when their fields change: an already odd status does not block other updates', () => {
    const old = stored({ startTime: T0, active: 1, ready: 2 });
    const job = clone(old);
    job.status = { ...old.status, failed: 1 };
    expect(validateJobStatusUpdate(job, old)).toEqual([]);
  });

  it('an elastic Indexed job may lower succeeded when scaled down', () => {
    const edit = (m: Json) => { Object.assign(m.spec, { completionMode: 'Indexed', completions: 3, parallelism: 3 }); };
    const old = stored({ startTime: T0, succeeded: 3, completedIndexes: '0-2' }, edit);
    const job = clone(old);
    job.status = { startTime: T0, succeeded: 2, completedIndexes: '0-1' };
    expect(validateJobStatusUpdate(job, old)).toEqual([]);
  });

  it('failed and completed indexes must not overlap', () => {
    const edit = (m: Json) => { Object.assign(m.spec, { completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimitPerIndex: 1 }); };
    const old = stored({ startTime: T0, completedIndexes: '0-1' }, edit);
    const job = clone(old);
    job.status = { startTime: T0, completedIndexes: '0-1', failedIndexes: '1,3' };
    expect(msgs(validateJobStatusUpdate(job, old))).toEqual(['status.failedIndexes: Invalid value: "1,3": failedIndexes and completedIndexes overlap at index: 1']);
  });

  it('failedIndexes need backoffLimitPerIndex', () => {
    const old = stored({ startTime: T0 });
    const job = clone(old);
    job.status = { startTime: T0, failedIndexes: '1' };
    expect(msgs(validateJobStatusUpdate(job, old))).toEqual(['status.failedIndexes: Invalid value: "1": cannot set non-null failedIndexes when backoffLimitPerIndex is null']);
  });
});
