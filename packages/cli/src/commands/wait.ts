import type { Command } from 'commander';
import type { Job, KList, KObject } from '@kjobs/api';
import { CliError, formatError } from '../errors.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, parseResourceArgs, query, resolveTypes, typeName, type ApiResource } from '../resources.js';
import type { Session } from '../session.js';
import { parseDuration } from '../print/time.js';
import { watchUntil } from '../watch.js';
import { waitGone } from './delete.js';
import { formatOutcome, jobOutcome, type JobOutcome } from '../extensions/job-outcome.js';

/**
 * What `--for` asks: a condition (type and wanted status), the object's deletion, or (kjobs
 * extension) a Job's end either way: Complete or Failed.
 */
export type WaitFor = { kind: 'condition'; type: string; status: string } | { kind: 'delete' } | { kind: 'finished' };

/** Parse `--for=condition=Complete[=True]`, `--for=delete` or `--for=finished`. */
export function parseWaitFor(text: string | undefined): WaitFor {
  if (!text) throw new CliError('--for must be specified: --for=condition=complete, --for=delete or --for=finished');
  if (text.toLowerCase() === 'delete') return { kind: 'delete' };
  if (text.toLowerCase() === 'finished') return { kind: 'finished' };
  const m = /^condition=([^=]+)(?:=(.*))?$/i.exec(text);
  if (!m) throw new CliError(`unrecognized condition: "${text}" (use --for=condition=NAME[=VALUE], --for=delete or --for=finished)`);
  return { kind: 'condition', type: m[1]!, status: m[2] ?? 'True' };
}

/** Whether an object has the condition (type and status compared case-insensitively, as kubectl). */
export function hasCondition(obj: KObject, f: Extract<WaitFor, { kind: 'condition' }>): boolean {
  const conds = ((obj.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => (c.type ?? '').toLowerCase() === f.type.toLowerCase() && (c.status ?? '').toLowerCase() === f.status.toLowerCase());
}

const EXAMPLES = `
Examples:
  # Wait for the one-shot Job to complete (30s by default)
  kjobs wait --for=condition=complete job/oneshot

  # Wait up to 2 minutes for it to fail
  kjobs wait --for=condition=failed job/oneshot --timeout=2m

  # Wait for pods of a Job to be deleted
  kjobs wait --for=delete pod -l job-name=oneshot

  # kjobs extension: wait until each Job has finished, either way; exit 0 when all are
  # Complete, 1 when any Failed (its reason and message are printed)
  kjobs wait --for=finished job/build job/test --timeout=10m
  kjobs wait --for=finished jobs -l pipeline=nightly`;

/** Register `kjobs wait`. */
export function registerWait(program: Command, ctx: ProgramContext): void {
  program
    .command('wait')
    .description('Wait for a condition on one or many resources (or their deletion); --for=finished: Jobs Complete or Failed (kjobs extension)')
    .argument('<resources...>', 'TYPE/NAME ... or TYPE [NAME...]')
    .option('--for <condition>', 'condition=NAME[=VALUE], delete, or finished (Jobs: Complete or Failed; exit 1 if any Failed)')
    .option('--timeout <duration>', 'how long to wait (negative: a week)', '30s')
    .option('-l, --selector <selector>', 'label selector to filter on')
    .addHelpText('after', EXAMPLES)
    .action(async (args: string[], opts: { for?: string; timeout: string; selector?: string }, cmd: Command) =>
      ctx.run(cmd, (s) => runWait(s, args, opts)));
}

/** `kjobs wait`: for each object, watch until the condition holds; print `job.batch/x condition met`. */
export async function runWait(s: Session, args: string[], o: { for?: string; timeout: string; selector?: string }): Promise<number> {
  const f = parseWaitFor(o.for);
  let timeoutMs = parseDuration(o.timeout);
  if (timeoutMs === undefined) throw new CliError(`invalid --timeout: ${o.timeout}`);
  if (timeoutMs < 0) timeoutMs = 7 * 24 * 3600_000;
  const deadline = Date.now() + timeoutMs;
  const resources = await s.discovery();
  const targets: { r: ApiResource; name: string }[] = [];
  for (const req of parseResourceArgs(args)) {
    for (const r of resolveTypes(req.type, resources)) {
      if (req.names.length) {
        for (const name of req.names) targets.push({ r, name });
      } else {
        if (!o.selector) throw new CliError('resource(s) were provided, but no name was specified');
        const list = await s.rest.request<KList>('GET', collectionPath(r, s.namespace) + query({ labelSelector: o.selector }));
        for (const item of list.items) targets.push({ r, name: item.metadata.name ?? '' });
      }
    }
  }
  if (targets.length === 0) throw new CliError('no matching resources found');
  if (f.kind === 'finished') return waitFinished(s, targets, deadline);
  let failed = 0;
  for (const { r, name } of targets) {
    const left = Math.max(0, deadline - Date.now());
    try {
      if (f.kind === 'delete') {
        await waitGone(s, r, s.namespace, name, undefined, left || 1);
      } else if (f.kind === 'condition') {
        const obj = await s.rest.request<KObject>('GET', objectPath(r, s.namespace, name));
        if (!hasCondition(obj, f)) {
          if (left === 0) throw new CliError('timed out');
          await watchUntil(s.rest, r, { namespace: r.namespaced ? s.namespace : undefined, fieldSelector: `metadata.name=${name}` }, (objects) => {
            const cur = [...objects.values()][0];
            if (!cur) throw new CliError(`${r.name}/${name} was deleted while waiting for the condition`);
            return hasCondition(cur, f) ? true : undefined;
          }, left);
        }
      }
      s.io.out(`${typeName(r)}/${name} condition met\n`);
    } catch (e) {
      const timedOut = e instanceof CliError && /timed out/.test(e.message);
      s.io.err(`${formatError(timedOut ? new CliError(`timed out waiting for the condition on ${r.name}/${name}`) : e)}\n`);
      failed = 1;
    }
  }
  return failed;
}

/**
 * `--for=finished`: watch each Job (no polling) until its terminal condition, printing one line
 * per Job as it is known; 0 when all are Complete, 1 when any Failed, timed out, or is gone.
 */
async function waitFinished(s: Session, targets: { r: ApiResource; name: string }[], deadline: number): Promise<number> {
  const notJob = targets.find((t) => t.r.kind !== 'Job');
  if (notJob) throw new CliError(`--for=finished works on Jobs only, not ${notJob.r.name}`);
  let code = 0;
  for (const { r, name } of targets) {
    const left = Math.max(0, deadline - Date.now());
    try {
      // A missing Job is reported as the server says it (NotFound), not as a timeout.
      await s.rest.request('GET', objectPath(r, s.namespace, name));
      const outcome = await watchUntil<JobOutcome>(s.rest, r, { namespace: s.namespace, fieldSelector: `metadata.name=${name}` }, (objects) => {
        const job = objects.get(`${s.namespace}/${name}`) as Job | undefined;
        if (!job) throw new CliError(`job.batch/${name} was deleted while waiting for it to finish`);
        return jobOutcome(job);
      }, left || 1);
      s.io.out(`${formatOutcome(name, outcome)}\n`);
      if (outcome.state === 'Failed') code = 1;
    } catch (e) {
      const timedOut = e instanceof CliError && /timed out/.test(e.message);
      s.io.err(`${formatError(timedOut ? new CliError(`timed out waiting for job.batch/${name} to finish`) : e)}\n`);
      code = 1;
    }
  }
  return code;
}
