import { describe, expect, it } from 'vitest';
import { invalid as invalidError } from '../errors.js';
import { mustResourceForKind } from '../resources.js';
import { validateJob, validateJobUpdate } from './job.js';
import { clone, validJob, type Json } from '../testing/fixtures.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const SUBDOMAIN_REGEX = "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('acceptance cases from the issue', () => {
  it('parallelism: -1', () => {
    const causes = validateJob(validJob((m) => { m.spec.parallelism = -1; }));
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.parallelism', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  });

  it('an upper-case name', () => {
    const causes = validateJob(validJob((m) => { m.metadata.name = 'Oneshot'; }));
    expect(causes).toEqual([{
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "Oneshot": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character ${SUBDOMAIN_REGEX}`,
    }]);
  });

  it('restartPolicy: Always, and the 422 message kubectl prints from it', () => {
    const causes = validateJob(validJob((m) => { m.spec.template.spec.restartPolicy = 'Always'; }));
    expect(causes).toEqual([{ reason: 'FieldValueRequired', field: 'spec.template.spec.restartPolicy', message: 'Required value: valid values: "OnFailure", "Never"' }]);
    const err = invalidError(mustResourceForKind('Job'), 'invalid', causes);
    expect(err.code).toBe(422);
    expect(err.message).toBe('Job.batch "invalid" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  });

  it('an empty restartPolicy is defaulted to Always and gets the same cause', () => {
    const job = validJob((m) => { delete m.spec.template.spec.restartPolicy; });
    expect(msgs(validateJob(job))).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });
});

describe('validateJob: spec fields', () => {
  it('the chapter one-shot job is valid', () => {
    expect(validateJob(validJob())).toEqual([]);
  });

  it.each<[string, (m: Json) => void, string[]]>([
    ['negative completions', (m) => { m.spec.completions = -1; }, ['spec.completions: Invalid value: -1: must be greater than or equal to 0']],
    ['negative backoffLimit', (m) => { m.spec.backoffLimit = -1; }, ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0']],
    ['negative activeDeadlineSeconds', (m) => { m.spec.activeDeadlineSeconds = -1; }, ['spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['negative ttlSecondsAfterFinished', (m) => { m.spec.ttlSecondsAfterFinished = -1; }, ['spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0']],
    ['restartPolicy Sometimes', (m) => { m.spec.template.spec.restartPolicy = 'Sometimes'; }, [
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ]],
    ['unknown completionMode', (m) => { m.spec.completionMode = 'Sparse'; }, ['spec.completionMode: Unsupported value: "Sparse": supported values: "NonIndexed", "Indexed"']],
    ['Indexed without completions', (m) => { m.spec.completionMode = 'Indexed'; m.spec.parallelism = 2; }, ['spec.completions: Required value: when completion mode is Indexed']],
    ['Indexed parallelism above 100000', (m) => { Object.assign(m.spec, { completionMode: 'Indexed', completions: 5, parallelism: 100001 }); }, ['spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed']],
    ['backoffLimitPerIndex without Indexed', (m) => { m.spec.backoffLimitPerIndex = 1; }, ['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode']],
    ['maxFailedIndexes alone', (m) => { m.spec.maxFailedIndexes = 1; }, [
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
    ]],
    ['maxFailedIndexes above completions', (m) => { Object.assign(m.spec, { completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1, maxFailedIndexes: 4 }); }, ['spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions']],
    ['huge Indexed job with backoffLimitPerIndex', (m) => { Object.assign(m.spec, { completionMode: 'Indexed', completions: 200000, parallelism: 20000, backoffLimitPerIndex: 1 }); m.metadata.name = 'big'; }, [
      'spec.maxFailedIndexes: Required value: must be specified when completions is above 100000',
      'spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
    ]],
    ['managedBy without a path', (m) => { m.spec.managedBy = 'kueue'; }, ['spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['managedBy too long', (m) => { m.spec.managedBy = `example.com/${'x'.repeat(60)}`; }, ['spec.managedBy: Too long: may not be more than 63 bytes']],
    ['podReplacementPolicy unknown', (m) => { m.spec.podReplacementPolicy = 'Never'; }, ['spec.podReplacementPolicy: Unsupported value: "Never": supported values: "Failed", "TerminatingOrFailed"']],
    ['Indexed name too long for pod hostnames', (m) => { m.metadata.name = 'x'.repeat(62); Object.assign(m.spec, { completionMode: 'Indexed', completions: 10 }); }, [
      `metadata.name: Invalid value: "${'x'.repeat(62)}": will not able to create pod with invalid DNS label: ${'x'.repeat(62)}-9`,
    ]],
    ['wrong JSON type', (m) => { m.spec.parallelism = 'two'; }, ['spec.parallelism: Invalid value: "two": must be of type integer']],
  ])('%s', (_, edit, want) => {
    expect(msgs(validateJob(validJob(edit)))).toEqual(want);
  });
});

describe('validateJob: selectors', () => {
  it('a manual selector must match the template labels', () => {
    const job = validJob((m) => {
      m.spec.manualSelector = true;
      m.spec.selector = { matchLabels: { app: 'x' } };
      m.spec.template.metadata = { labels: { app: 'y' } };
    });
    expect(msgs(validateJob(job))).toEqual(['spec.template.metadata.labels: Invalid value: {"app":"y"}: `selector` does not match template `labels`']);
  });

  it('manualSelector without a selector', () => {
    const job = validJob((m) => { m.spec.manualSelector = true; });
    expect(msgs(validateJob(job))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`',
    ]);
  });

  it('a user label that conflicts with the generated one', () => {
    const job = validJob((m) => { m.spec.template.metadata = { labels: { 'job-name': 'other' } }; });
    expect(msgs(validateJob(job))).toEqual([
      `spec.template.metadata.labels[job-name]: Invalid value: ${JSON.stringify(job.spec.template.metadata.labels, Object.keys(job.spec.template.metadata.labels).sort())}: must be 'oneshot'`,
    ]);
  });

  it('a hand-written selector is not the generated one', () => {
    const job = validJob((m) => { m.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'someone-else' } }; });
    expect(msgs(validateJob(job))).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"someone-else"}}: `selector` not auto-generated',
      'spec.template.metadata.labels: Invalid value: {"batch.kubernetes.io/controller-uid":"uid-1","batch.kubernetes.io/job-name":"oneshot","controller-uid":"uid-1","job-name":"oneshot"}: `selector` does not match template `labels`',
    ]);
  });

  it('a generated selector needs a uid', () => {
    const job = validJob();
    delete job.metadata.uid;
    expect(msgs(validateJob(job))[0]).toBe('metadata.uid: Required value');
  });

  it('selector expressions are validated', () => {
    const job = validJob((m) => {
      m.spec.manualSelector = true;
      m.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In' }, { key: 'b', operator: 'Near', values: ['x'] }] };
      m.spec.template.metadata = { labels: { app: 'x' } };
    });
    expect(msgs(validateJob(job))).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector.matchExpressions[1].operator: Invalid value: "Near": not a valid selector operator',
    ]);
  });
});

describe('validateJobUpdate: immutable fields', () => {
  const stored = (edit: (j: Json) => void = () => {}) => {
    const j = validJob();
    j.metadata.resourceVersion = '5';
    j.metadata.generation = 1;
    edit(j);
    return j;
  };
  it.each<[string, (j: Json) => void, (j: Json) => void, string[]]>([
    ['suspend and parallelism may change', () => {}, (j) => { j.spec.suspend = true; j.spec.parallelism = 3; }, []],
    ['completions', () => {}, (j) => { j.spec.completions = 2; }, ['spec.completions: Invalid value: 2: field is immutable']],
    ['completionMode', () => {}, (j) => { j.spec.completionMode = 'Indexed'; }, ['spec.completionMode: Invalid value: "Indexed": field is immutable']],
    ['template command', () => {}, (j) => { j.spec.template.spec.containers[0].command = ['/other']; }, [expect.stringMatching(/^spec.template: Invalid value: \{.*\}: field is immutable$/)] as unknown as string[]],
    ['selector', () => {}, (j) => { j.spec.selector.matchLabels.extra = 'x'; }, [
      'spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"uid-1","extra":"x"}}: `selector` not auto-generated',
      'spec.template.metadata.labels: Invalid value: {"batch.kubernetes.io/controller-uid":"uid-1","batch.kubernetes.io/job-name":"oneshot","controller-uid":"uid-1","job-name":"oneshot"}: `selector` does not match template `labels`',
      'spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"uid-1","extra":"x"}}: field is immutable',
    ]],
    ['backoffLimitPerIndex', (j) => { Object.assign(j.spec, { completionMode: 'Indexed', completions: 2 }); }, (j) => { j.spec.backoffLimitPerIndex = 1; }, ['spec.backoffLimitPerIndex: Invalid value: 1: field is immutable']],
    ['elastic Indexed job scaling in tandem', (j) => { Object.assign(j.spec, { completionMode: 'Indexed', completions: 4, parallelism: 4 }); }, (j) => { j.spec.completions = 6; j.spec.parallelism = 6; }, []],
    ['elastic Indexed job out of tandem', (j) => { Object.assign(j.spec, { completionMode: 'Indexed', completions: 4, parallelism: 4 }); }, (j) => { j.spec.completions = 6; }, ['spec.completions: Invalid value: 6: can only be modified in tandem with spec.parallelism']],
    ['suspended, never started: nodeSelector and labels may change', (j) => { j.spec.suspend = true; }, (j) => { j.spec.template.spec.nodeSelector = { zone: 'a' }; j.spec.template.metadata.labels.extra = 'y'; }, []],
    ['started: nodeSelector may not change', (j) => { j.spec.suspend = true; j.status = { startTime: '2026-01-01T00:00:00Z' }; }, (j) => { j.spec.template.spec.nodeSelector = { zone: 'a' }; }, [expect.stringMatching(/^spec.template: Invalid value: .*: field is immutable$/)] as unknown as string[]],
  ])('%s', (_, prepare, edit, want) => {
    const old = stored(prepare);
    const job = clone(old);
    edit(job);
    expect(msgs(validateJobUpdate(job, old))).toEqual(want);
  });
});
