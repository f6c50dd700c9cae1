/**
 * batch/v1 CronJob validation (Kubernetes 1.32 `ValidateCronJobCreate` / `ValidateCronJobUpdate`):
 * schedule, timeZone, concurrency policy, history limits, the job template, and the 52-character
 * name limit on create (the controller appends `-<minutes>` to make Job names).
 */
import { invalid, notSupported, required, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { cronScheduleError } from '../cron/cron-grammar.js';
import { validateJobTemplateSpec } from './job.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { isKnownTimeZone } from './time-zone.js';

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;
/** Longest CronJob name: 63 minus the 11 characters of `-<minutes since epoch>`. */
export const MAX_CRONJOB_NAME_LENGTH = 52;

/** validateTimeZone: an explicit IANA zone name, not "Local". */
export function validateTimeZone(tz: string | undefined, path: string): FieldCause[] {
  if (tz === undefined) return [];
  if (tz.length === 0) return [invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) return [invalid(path, tz, `unknown time zone ${tz}`)];
  }
  const out: FieldCause[] = [];
  if (tz.toLowerCase() === 'local') out.push(invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  if (tz !== 'Local' && !isKnownTimeZone(tz)) out.push(invalid(path, tz, `unknown time zone ${tz}`));
  return out;
}

function validateSchedule(schedule: string, allowTZ: boolean, hasTimeZone: boolean, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const err = cronScheduleError(schedule);
  if (err) out.push(invalid(path, schedule, err));
  if (allowTZ && schedule.includes('TZ') && hasTimeZone) {
    out.push(invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    out.push(invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return out;
}

function validateCronJobSpec(raw: unknown, oldRaw: unknown, out: FieldCause[]): void {
  const s = FieldReader.of(raw, 'spec', out);
  const old = oldRaw === undefined ? undefined : (asRecord(oldRaw) ?? {});
  const schedule = s.str('schedule') ?? '';
  const timeZone = s.str('timeZone');
  if (!schedule) out.push(required(s.at('schedule'), ''));
  else {
    const allowTZ = typeof old?.schedule === 'string' && old.schedule.includes('TZ');
    out.push(...validateSchedule(schedule, allowTZ, timeZone !== undefined, s.at('schedule')));
  }
  const sds = s.int('startingDeadlineSeconds');
  if (sds !== undefined) out.push(...validateNonnegative(sds, s.at('startingDeadlineSeconds')));
  if (old === undefined || (old.timeZone ?? undefined) !== timeZone) out.push(...validateTimeZone(timeZone, s.at('timeZone')));
  const policy = s.str('concurrencyPolicy') ?? '';
  if (!policy) out.push(required(s.at('concurrencyPolicy'), ''));
  else if (!CONCURRENCY_POLICIES.includes(policy)) out.push(notSupported(s.at('concurrencyPolicy'), policy, CONCURRENCY_POLICIES));
  validateJobTemplateSpec(s.obj.jobTemplate, s.at('jobTemplate'), out);
  for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    const v = s.int(f);
    if (v !== undefined) out.push(...validateNonnegative(v, s.at(f)));
  }
  s.bool('suspend');
}

/** A new CronJob: metadata (name ≤ 52), spec. */
export function validateCronJob(cj: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(cj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateCronJobSpec(cj.spec, undefined, out);
  const name = asRecord(cj.metadata)?.name;
  if (typeof name === 'string' && name.length > MAX_CRONJOB_NAME_LENGTH) {
    out.push(invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  }
  return out;
}

/** An updated CronJob: metadata rules of an update, spec (TZ in schedule kept only if it was there). */
export function validateCronJobUpdate(cj: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(cj.metadata, old.metadata);
  validateCronJobSpec(cj.spec, asRecord(old.spec) ?? {}, out);
  return out;
}
