import { describe, expect, it } from 'vitest';
import { validateCronJob, validateCronJobUpdate, validateTimeZone } from './cronjob.js';
import { clone, validCronJob, type Json } from '../testing/fixtures.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('validateCronJob', () => {
  it('the chapter cronjob is valid', () => {
    expect(validateCronJob(validCronJob())).toEqual([]);
  });

  it.each<[string, (m: Json) => void, string[]]>([
    ['@hourly with a zone', (m) => { m.spec.schedule = '@hourly'; m.spec.timeZone = 'Europe/Berlin'; }, []],
    ['no schedule', (m) => { delete m.spec.schedule; }, ['spec.schedule: Required value']],
    ['six fields', (m) => { m.spec.schedule = '0 0 * * * *'; }, ['spec.schedule: Invalid value: "0 0 * * * *": expected exactly 5 fields, found 6: [0 0 * * * *]']],
    ['out of range', (m) => { m.spec.schedule = '61 * * * *'; }, ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']],
    ['TZ= in the schedule', (m) => { m.spec.schedule = 'TZ=UTC 0 * * * *'; }, ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['CRON_TZ= in the schedule', (m) => { m.spec.schedule = 'CRON_TZ=UTC 0 * * * *'; }, ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['unknown zone', (m) => { m.spec.timeZone = 'Foo/Bar'; }, ['spec.timeZone: Invalid value: "Foo/Bar": unknown time zone Foo/Bar']],
    ['Local', (m) => { m.spec.timeZone = 'Local'; }, ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']],
    ['empty zone', (m) => { m.spec.timeZone = ''; }, ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']],
    ['bad concurrencyPolicy', (m) => { m.spec.concurrencyPolicy = 'Queue'; }, ['spec.concurrencyPolicy: Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"']],
    ['negative history limit', (m) => { m.spec.successfulJobsHistoryLimit = -1; }, ['spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
    ['negative startingDeadlineSeconds', (m) => { m.spec.startingDeadlineSeconds = -10; }, ['spec.startingDeadlineSeconds: Invalid value: -10: must be greater than or equal to 0']],
    ['a name of 53 characters', (m) => { m.metadata.name = 'c'.repeat(53); }, [`metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`]],
    ['a selector in the job template', (m) => { m.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } }; }, ['spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated']],
    ['manualSelector in the job template', (m) => { m.spec.jobTemplate.spec.manualSelector = true; }, ['spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"']],
    ['restartPolicy Always in the job template', (m) => { delete m.spec.jobTemplate.spec.template.spec.restartPolicy; }, ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']],
    ['negative parallelism in the job template', (m) => { m.spec.jobTemplate.spec.parallelism = -1; }, ['spec.jobTemplate.spec.parallelism: Invalid value: -1: must be greater than or equal to 0']],
  ])('%s', (_, edit, want) => {
    expect(msgs(validateCronJob(validCronJob(edit)))).toEqual(want);
  });
});

describe('validateCronJobUpdate', () => {
  it('does not re-check the 52-character limit', () => {
    const old = validCronJob((m) => { m.metadata.name = 'c'.repeat(60); m.metadata.uid = 'u'; });
    const cj = clone(old);
    cj.spec.suspend = true;
    expect(validateCronJobUpdate(cj, old)).toEqual([]);
  });

  it('keeps an old TZ= schedule but not together with timeZone', () => {
    const old = validCronJob((m) => { m.spec.schedule = 'TZ=UTC 0 * * * *'; });
    const cj = clone(old);
    cj.spec.suspend = true;
    expect(validateCronJobUpdate(cj, old)).toEqual([]);
    cj.spec.timeZone = 'UTC';
    expect(msgs(validateCronJobUpdate(cj, old))).toEqual(['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule']);
  });
});

describe('validateTimeZone', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, []],
    ['UTC', []],
    ['Etc/UTC', []],
    ['America/Argentina/Buenos_Aires', []],
    ['../etc/passwd', ['tz: Invalid value: "../etc/passwd": unknown time zone ../etc/passwd']],
    ['local', [
      'tz: Invalid value: "local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      'tz: Invalid value: "local": unknown time zone local',
    ]],
  ])('%j', (tz, want) => {
    expect(msgs(validateTimeZone(tz, 'tz'))).toEqual(want);
  });
});
