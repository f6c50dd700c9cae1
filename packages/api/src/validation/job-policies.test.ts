import { describe, expect, it } from 'vitest';
import { validateJob } from './job.js';
import { countIndexes, overlappingIndex } from './job-policies.js';
import { validJob, type Json } from '../testing/fixtures.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const never = (m: Json) => { m.spec.template.spec.restartPolicy = 'Never'; };
const withPolicy = (rules: unknown[], extra: (m: Json) => void = () => {}) => validJob((m) => {
  never(m);
  m.spec.podFailurePolicy = { rules };
  extra(m);
});
const exitRule = (onExitCodes: Json, action = 'FailJob') => ({ action, onExitCodes });

describe('podFailurePolicy', () => {
  it.each<[string, unknown[], string[]]>([
    ['a valid policy', [exitRule({ operator: 'In', values: [1, 42] }), { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }], []],
    ['containerName must exist', [exitRule({ containerName: 'nope', operator: 'In', values: [1] })], ['spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template']],
    ['0 with In', [exitRule({ operator: 'In', values: [0, 1] })], ['spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator']],
    ['0 with NotIn is fine', [exitRule({ operator: 'NotIn', values: [0] })], []],
    ['unordered values', [exitRule({ operator: 'In', values: [3, 2] })], ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [3,2]: must be ordered']],
    ['duplicate values', [exitRule({ operator: 'In', values: [2, 2] })], ['spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 2']],
    ['no values', [exitRule({ operator: 'In', values: [] })], ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []: at least one value is required']],
    ['no operator', [exitRule({ values: [1] })], ['spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: ["In" "NotIn"]']],
    ['unknown action', [exitRule({ operator: 'In', values: [1] }, 'Retry')], ['spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"']],
    ['no action', [{ onExitCodes: { operator: 'In', values: [1] } }], ['spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]']],
    ['FailIndex without backoffLimitPerIndex', [exitRule({ operator: 'In', values: [1] }, 'FailIndex')], ['spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set']],
    ['both requirements', [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }], ['spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported']],
    ['neither requirement', [{ action: 'FailJob' }], ['spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required']],
    ['bad condition status', [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] }], ['spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"']],
    ['too many rules', Array.from({ length: 21 }, () => exitRule({ operator: 'In', values: [1] })), ['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items']],
  ])('%s', (_, rules, want) => {
    expect(msgs(validateJob(withPolicy(rules)))).toEqual(want);
  });

  it('requires restartPolicy Never and a Failed podReplacementPolicy', () => {
    const job = validJob((m) => {
      m.spec.podFailurePolicy = { rules: [exitRule({ operator: 'In', values: [1] })] };
      m.spec.podReplacementPolicy = 'TerminatingOrFailed';
    });
    expect(msgs(validateJob(job))).toEqual([
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ]);
  });
});

describe('successPolicy', () => {
  const indexed = (rules: unknown[]) => validJob((m) => {
    Object.assign(m.spec, { completionMode: 'Indexed', completions: 5, parallelism: 5, successPolicy: { rules } });
  });
  it.each<[string, unknown[], string[]]>([
    ['valid rules', [{ succeededIndexes: '0,2-4' }, { succeededCount: 3 }, { succeededIndexes: '1-3', succeededCount: 2 }], []],
    ['no rules', [], ['spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified']],
    ['empty rule', [{}], ['spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified']],
    ['index beyond completions', [{ succeededIndexes: '1,7' }], ['spec.successPolicy.rules[0].succeededIndexes: Invalid value: "1,7": error parsing succeededIndexes: too large index: "7"']],
    ['decreasing order', [{ succeededIndexes: '3,1' }], ['spec.successPolicy.rules[0].succeededIndexes: Invalid value: "3,1": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1']],
    ['count above completions', [{ succeededCount: 6 }], ['spec.successPolicy.rules[0].succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)']],
    ['count above listed indexes', [{ succeededIndexes: '0-1', succeededCount: 3 }], ['spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)']],
  ])('%s', (_, rules, want) => {
    expect(msgs(validateJob(indexed(rules)))).toEqual(want);
  });

  it('requires Indexed mode', () => {
    const job = validJob((m) => { m.spec.successPolicy = { rules: [{ succeededCount: 1 }] }; });
    expect(msgs(validateJob(job))).toEqual(['spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode']);
  });
});

describe('index interval lists', () => {
  it.each<[string, number, number | string]>([
    ['', 5, 0],
    ['0', 5, 1],
    ['1,3-5,7', 8, 5],
    ['0-1,2', 5, 3],
    ['1-1', 5, 'non-increasing order, previous: 1, current: 1'],
    ['1-2-3', 5, `the fragment "1-2-3" violates the requirement that an index interval can have at most two parts separated by '-'`],
    ['a', 5, 'cannot convert string to integer for index: "a"'],
    ['5', 5, 'too large index: "5"'],
  ])('%j of %i', (s, completions, want) => {
    if (typeof want === 'number') expect(countIndexes(s, completions)).toBe(want);
    else expect(() => countIndexes(s, completions)).toThrowError(want);
  });

  it.each<[string, string, number | undefined]>([
    ['0-2', '3-4', undefined],
    ['0-2,5', '4-6', 5],
    ['1,3', '2', undefined],
    ['0-9', '7', 7],
  ])('overlap of %s and %s', (completed, failed, want) => {
    expect(overlappingIndex(completed, failed, 10)).toBe(want);
  });
});
