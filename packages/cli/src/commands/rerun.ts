import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { Job } from '@kjobs/api';
import { CliError } from '../errors.js';
import { parseIndexList } from '../extensions/indexes.js';
import { jobOutcome } from '../extensions/job-outcome.js';
import { buildRerunJob, failedIndexesOf, rerunJobName } from '../extensions/rerun-job.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, resolveResource } from '../resources.js';
import type { Session } from '../session.js';

const EXAMPLES = `
Examples:
  # Run indexes 3, 7, 8 and 9 of the finished Indexed Job "render" again
  kjobs rerun job/render --indexes 3,7-9

  # Run again every index that failed (status.failedIndexes, with backoffLimitPerIndex)
  kjobs rerun job/render --failed && kjobs get jobs

The new Job is an ordinary Indexed Job (completions = the number of indexes) annotated
kjobs.io/rerun-of: <original>; each pod sees JOB_COMPLETION_INDEX = the original index it
re-runs. See docs/kjobs-extensions.md.`;

/** Options of `kjobs rerun`. */
export interface RerunOptions {
  /** Indexes to re-run, `3,7-9`. */
  indexes?: string;
  /** Re-run `status.failedIndexes`. */
  failed?: boolean;
  /** Name of the new Job (default `<original>-rerun-<random>`). */
  name?: string;
}

/** Register `kjobs rerun` (kjobs extension). */
export function registerRerun(program: Command, ctx: ProgramContext): void {
  program
    .command('rerun')
    .description('Run chosen indexes of a finished Indexed Job again, as a new Job linked to it (kjobs extension)')
    .argument('<job>', 'job/NAME or NAME')
    .option('--indexes <list>', 'the completion indexes to re-run, e.g. 3,7-9')
    .option('--failed', "re-run the Job's failed indexes (status.failedIndexes)")
    .option('--name <name>', 'name of the new Job (default <job>-rerun-<random>)')
    .addHelpText('after', EXAMPLES)
    .action(async (job: string, o: RerunOptions, cmd: Command) => ctx.run(cmd, (s) => runRerun(s, job, o)));
}

/** `kjobs rerun`: read the Job, build the rerun Job, create it; prints `job.batch/<new> created`. */
export async function runRerun(s: Session, arg: string, o: RerunOptions): Promise<number> {
  if (!o.indexes === !o.failed) throw new CliError('give exactly one of --indexes LIST or --failed');
  const [type, name] = arg.includes('/') ? (arg.split('/', 2) as [string, string]) : ['job', arg];
  const resources = await s.discovery();
  const r = resolveResource(type, resources);
  if (!r || r.kind !== 'Job') throw new CliError(`rerun works on Jobs only, not "${type}"`);
  const original = await s.rest.request<Job>('GET', objectPath(r, s.namespace, name));
  const list = o.failed ? failedIndexesOf(original) : o.indexes!;
  if (list === undefined) throw new CliError(`job.batch/${name} has no failed indexes (status.failedIndexes is empty; it is set for Jobs with backoffLimitPerIndex)`);
  const job = buildRerunJob(original, parseIndexList(list), o.name ?? rerunJobName(name, randomBytes(3).toString('hex').slice(0, 5)), jobOutcome(original) !== undefined);
  const created = await s.rest.request<Job>('POST', collectionPath(r, s.namespace), { body: job });
  s.io.out(`job.batch/${created.metadata.name} created (re-runs indexes ${job.metadata.annotations!['kjobs.io/rerun-indexes']} of job.batch/${name})\n`);
  return 0;
}
