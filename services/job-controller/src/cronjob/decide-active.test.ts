import { describe, expect, it } from 'vitest';
import type { CronJob, Job, ObjectReference } from '@kjobs/api';
import { reconcileActive } from './decide-active.js';

const ref = (name: string): ObjectReference => ({ kind: 'Job', name, uid: `uid-${name}` });
const cj = (active: string[], lastSuccessfulTime?: string): CronJob => ({
  metadata: { name: 'c' },
  spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
  status: { active: active.map(ref), ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}) },
});
const job = (name: string, state: 'Complete' | 'Failed' | 'running', completionTime?: string): Job => ({
  metadata: { name, uid: `uid-${name}` },
  spec: { template: { spec: { containers: [] } } },
  status: state === 'running' ? {} : { conditions: [{ type: state, status: 'True' }], ...(completionTime ? { completionTime } : {}) },
});

describe('reconcileActive', () => {
  it.each([
    ['a running listed Job stays', cj(['a']), [job('a', 'running')], [], { active: ['a'], events: [], unexpected: [] }],
    ['a finished listed Job leaves (SawCompletedJob)', cj(['a']), [job('a', 'Failed')], [], { active: [], events: ['SawCompletedJob Saw completed job: a, status: Failed'], unexpected: [] }],
    ['a listed Job that is gone leaves (MissingJob)', cj(['a']), [], [], { active: [], events: ['MissingJob Active job went missing: a'], unexpected: [] }],
    ['a running Job not listed is unexpected', cj([]), [job('b', 'running')], [], { active: [], events: [], unexpected: ['b'] }],
    ['a listed Job deleted as history leaves without an event', cj(['a']), [job('a', 'Complete')], ['uid-a'], { active: [], events: [], unexpected: [] }],
  ])('%s', (_n, cronJob, jobs, deleted, want) => {
    const r = reconcileActive(cronJob, jobs, new Set(deleted));
    expect({ active: r.active.map((x) => x.name), events: r.events.map((e) => `${e.reason} ${e.message}`), unexpected: r.unexpected.map((j) => j.metadata.name) }).toEqual(want);
  });

  it.each([
    ['the latest completion of an unlisted Complete Job', undefined, ['2024-01-01T00:01:00Z', '2024-01-01T00:03:00Z'], '2024-01-01T00:03:00Z'],
    ['never goes back', '2024-01-01T00:05:00Z', ['2024-01-01T00:03:00Z'], '2024-01-01T00:05:00Z'],
  ])('lastSuccessfulTime: %s', (_n, last, times, want) => {
    const jobs = times.map((t, i) => job(`j${i}`, 'Complete', t));
    expect(reconcileActive(cj([], last), jobs, new Set()).lastSuccessfulTime).toBe(want);
  });
});
