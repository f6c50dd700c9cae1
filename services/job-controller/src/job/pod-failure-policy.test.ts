import { describe, expect, it } from 'vitest';
import type { PodFailurePolicyRule } from '@kjobs/api';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { makeJob, makePod } from './test-fixtures.js';

const job = makeJob();
const failed = (exitCode: number, extra: Parameters<typeof makePod>[2] = {}) => makePod(job, 'worker-x', { phase: 'Failed', exitCode, ...extra });
const disruption = { type: 'DisruptionTarget', status: 'True' as const, reason: 'EvictionByEvictionAPI' };

const rules: PodFailurePolicyRule[] = [
  { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
  { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
  { action: 'Count', onExitCodes: { operator: 'In', values: [1] } },
  { action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } },
  { action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1, 2, 3, 42] } },
];

describe('matchPodFailurePolicy', () => {
  it.each([
    ['exit 42 in main → FailJob with the exact message', failed(42), { action: 'FailJob', ruleIndex: 0, countFailed: true, failJobMessage: 'Container main for pod default/worker-x failed with exit code 42 matching FailJob rule at index 0' }],
    ['DisruptionTarget condition → Ignore, not counted', failed(1, { conditions: [disruption] }), { action: 'Ignore', ruleIndex: 1, countFailed: false }],
    ['exit 1 → Count', failed(1), { action: 'Count', ruleIndex: 2, countFailed: true }],
    ['exit 3 → FailIndex', failed(3), { action: 'FailIndex', ruleIndex: 3, countFailed: true }],
    ['exit 7 → NotIn FailJob rule at index 4', failed(7), { action: 'FailJob', ruleIndex: 4, countFailed: true, failJobMessage: 'Container main for pod default/worker-x failed with exit code 7 matching FailJob rule at index 4' }],
  ])('%s', (_name, pod, want) => {
    expect(matchPodFailurePolicy({ rules }, pod)).toEqual(want);
  });

  it('never matches exit code 0, even with NotIn', () => {
    const pod = failed(0);
    expect(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, pod).action).toBeNull();
  });

  it('checks init containers after app containers', () => {
    const pod = failed(0, { initExitCode: 5 });
    pod.status!.containerStatuses = [];
    const m = matchPodFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [5] } }] }, pod);
    expect(m.failJobMessage).toBe('Container init for pod default/worker-x failed with exit code 5 matching FailJob rule at index 0');
  });

  it('a containerName restricts the rule to that container', () => {
    expect(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { containerName: 'other', operator: 'In', values: [42] } }] }, failed(42)).action).toBeNull();
  });

  it('words a FailJob condition match as Kubernetes does', () => {
    const m = matchPodFailurePolicy({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, failed(1, { conditions: [disruption] }));
    expect(m.failJobMessage).toBe('Pod default/worker-x has condition DisruptionTarget matching FailJob rule at index 0');
  });

  it('without a policy every failure counts', () => {
    expect(matchPodFailurePolicy(undefined, failed(42))).toEqual({ action: null, ruleIndex: -1, countFailed: true });
  });
});
