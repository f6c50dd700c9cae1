import { describe, expect, it } from 'vitest';
import type { Job, JobCondition } from '../types.js';
import { printJob } from './job-printer.js';

const NOW = new Date('2026-11-27T19:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace('.000', '');
const cond = (type: string, status: 'True' | 'False' = 'True'): JobCondition => ({ type, status });

function job(spec: Partial<Job['spec']>, status: Job['status'] = {}, deleting = false): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'pi', creationTimestamp: ago(600), ...(deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }] } }, ...spec },
    status,
  };
}

describe('printJob: STATUS', () => {
  it.each<[string, Job, string]>([
    ['no conditions: Running', job({}), 'Running'],
    ['Complete', job({}, { conditions: [cond('SuccessCriteriaMet'), cond('Complete')] }), 'Complete'],
    ['Failed', job({}, { conditions: [cond('FailureTarget'), cond('Failed')] }), 'Failed'],
    ['Complete wins over deletion', job({}, { conditions: [cond('Complete')] }, true), 'Complete'],
    ['being deleted: Terminating', job({}, {}, true), 'Terminating'],
    ['Terminating wins over Suspended', job({}, { conditions: [cond('Suspended')] }, true), 'Terminating'],
    ['Suspended', job({ suspend: true }, { conditions: [cond('Suspended')] }), 'Suspended'],
    ['a resumed job (Suspended=False) is Running', job({}, { conditions: [cond('Suspended', 'False')] }), 'Running'],
    ['FailureTarget before Failed is set', job({}, { conditions: [cond('FailureTarget')] }), 'FailureTarget'],
    ['SuccessCriteriaMet before Complete is set', job({}, { conditions: [cond('SuccessCriteriaMet')] }), 'SuccessCriteriaMet'],
  ])('%s', (_name, j, want) => {
    expect(printJob(j, NOW).cells[1]).toBe(want);
  });
});

describe('printJob: COMPLETIONS and DURATION', () => {
  it.each<[string, Job, string, string]>([
    ['not started: empty duration', job({ completions: 1 }), '0/1', ''],
    ['running: duration from start to now', job({ completions: 5 }, { startTime: ago(125), succeeded: 3 }), '3/5', '2m5s'],
    ['finished: duration from start to completion', job({ completions: 1 }, { startTime: ago(300), completionTime: ago(290), succeeded: 1 }), '1/1', '10s'],
    ['work queue (no completions), parallelism 1', job({ parallelism: 1 }, { startTime: ago(1) }), '0/1', '1s'],
    ['work queue with parallelism 3', job({ parallelism: 3 }, { succeeded: 1 }), '1/1 of 3', ''],
    ['completions: null is unset', job({ completions: null, parallelism: 2 }), '0/1 of 2', ''],
    ['completions 0', job({ completions: 0 }), '0/0', ''],
  ])('%s', (_name, j, completions, duration) => {
    const [, , c, d] = printJob(j, NOW).cells;
    expect([c, d]).toEqual([completions, duration]);
  });
});

describe('printJob: the whole row', () => {
  it('fills containers, images and the selector', () => {
    const j = job({
      completions: 1,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'aa04' } },
      template: { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:2' }] } },
    }, { startTime: ago(1) });
    expect(printJob(j, NOW)).toStrictEqual({ cells: ['pi', 'Running', '0/1', '1s', '10m', 'a,b', 'x:1,y:2', 'batch.kubernetes.io/controller-uid=aa04'] });
  });

  it('prints selectors sorted by key, set values sorted, and <none> without one', () => {
    const j = job({ selector: { matchLabels: { z: '1', a: '2' }, matchExpressions: [{ key: 'm', operator: 'In', values: ['y', 'x'] }, { key: 'b', operator: 'DoesNotExist' }] } });
    expect(printJob(j, NOW).cells[7]).toBe('a=2,!b,m in (x,y),z=1');
    expect(printJob(job({}), NOW).cells[7]).toBe('<none>');
  });
});
