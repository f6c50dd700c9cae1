import type { Command } from 'commander';
import type { CronJob, Job } from '@kjobs/api';
import { CliError, formatError } from '../errors.js';
import { goJson } from '../go-json.js';
import { readManifests } from '../manifests.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, query, resolveResource, typeName, type ApiResource } from '../resources.js';
import type { Session } from '../session.js';
import { contextualize, placeManifest } from './apply.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Register `kjobs create -f` and `kjobs create job`. */
export function registerCreate(program: Command, ctx: ProgramContext): void {
  const create = program
    .command('create')
    .description('Create resources from files or stdin, or a Job from a CronJob')
    .option('-f, --filename <file>', 'file, directory or "-" (stdin) with the manifests (repeatable)', collect)
    .option('-R, --recursive', 'process directories recursively')
    .addHelpText('after', `
Examples:
  # Create the chapter's CronJob
  kjobs create -f job-cronjob.yaml

  # Run a CronJob's job now
  kjobs create job manual-1 --from=cronjob/example-cron`)
    .action(async (opts: { filename?: string[]; recursive?: boolean }, cmd: Command) => ctx.run(cmd, (s) => runCreate(s, opts.filename ?? [], opts.recursive)));
  create
    .command('job')
    .description('Create a Job, from a CronJob\'s jobTemplate (--from=cronjob/NAME) or from an image')
    .argument('<name>', 'name of the Job')
    .argument('[command...]', 'command and arguments of the container (after --), with --image')
    .option('--from <cronjob>', 'cronjob/NAME to copy the jobTemplate of')
    .option('--image <image>', 'image of the Job\'s one container')
    .addHelpText('after', `
Examples:
  # A Job from the CronJob "example-cron" (annotated cronjob.kubernetes.io/instantiate: manual)
  kjobs create job manual-1 --from=cronjob/example-cron

  # A Job running a command
  kjobs create job hello --image=busybox -- echo hello`)
    .action(async (name: string, command: string[], opts: { from?: string; image?: string }, cmd: Command) =>
      ctx.run(cmd, (s) => runCreateJob(s, name, command, opts)));
  create.commands.forEach((c) => c.exitOverride().configureOutput({ writeOut: (t) => ctx.io.out(t), writeErr: (t) => ctx.io.err(t) }));
}

/** `kjobs create -f`: POST each manifest as it is. */
export async function runCreate(s: Session, files: string[], recursive?: boolean): Promise<number> {
  if (files.length === 0) throw new CliError('must specify one of -f and -k (or a subcommand: kjobs create job NAME --from=cronjob/NAME)');
  const manifests = await readManifests(files, s.io.cwd, s.io.readStdin, recursive);
  const resources = await s.discovery();
  let failed = 0;
  for (const m of manifests) {
    try {
      const { r, obj, namespace } = placeManifest(s, resources, m);
      let created: { metadata?: { name?: string } };
      try {
        created = await s.rest.request('POST', collectionPath(r, namespace) + query({ fieldManager: 'kubectl-create', fieldValidation: 'Strict' }), { body: goJson(obj) });
      } catch (e) {
        throw contextualize(e, `error when creating "${m.source}"`);
      }
      s.io.out(`${typeName(r)}/${created?.metadata?.name ?? obj.metadata.name} created\n`);
    } catch (e) {
      s.io.err(`${formatError(e)}\n`);
      failed = 1;
    }
  }
  return failed;
}

/**
 * The Job kubectl builds from a CronJob (`createJobFromCronJob`): name from the argument,
 * annotation `cronjob.kubernetes.io/instantiate: manual` plus the template's annotations, the
 * template's labels, a controller ownerReference to the CronJob, and its jobTemplate spec.
 */
export function jobFromCronJob(name: string, cj: CronJob): Job {
  const tmpl = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', ...(tmpl.metadata?.annotations ?? {}) },
      ...(tmpl.metadata?.labels ? { labels: { ...tmpl.metadata.labels } } : {}),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name ?? '', uid: cj.metadata.uid ?? '', controller: true }],
    },
    spec: structuredClone(tmpl.spec),
  };
}

/** A Job with one container running `image` (kubectl create job NAME --image). */
export function jobFromImage(name: string, image: string, command: string[]): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      template: {
        metadata: {},
        spec: { containers: [{ name, image, ...(command.length ? { command } : {}), resources: {} }], restartPolicy: 'Never' },
      },
    },
  };
}

async function resource(s: Session, type: string): Promise<ApiResource> {
  const r = resolveResource(type, await s.discovery());
  if (!r) throw new CliError(`the server doesn't have a resource type "${type}"`);
  return r;
}

/** `kjobs create job NAME --from=cronjob/X` or `--image=IMG [-- CMD…]`. */
export async function runCreateJob(s: Session, name: string, command: string[], o: { from?: string; image?: string }): Promise<number> {
  if (!o.from && !o.image) throw new CliError('either --image or --from must be specified');
  if (o.from && o.image) throw new CliError('--image and --from are mutually exclusive');
  const jobs = await resource(s, 'jobs');
  let job: Job;
  if (o.from) {
    const [type, from] = o.from.split('/', 2);
    if (!from || (await resource(s, type ?? '')).kind !== 'CronJob') throw new CliError(`from must be an existing cronjob: ${o.from}`);
    const cronjobs = await resource(s, 'cronjobs');
    job = jobFromCronJob(name, await s.rest.request<CronJob>('GET', objectPath(cronjobs, s.namespace, from)));
  } else {
    job = jobFromImage(name, o.image!, command);
  }
  job.metadata.namespace = s.namespace;
  await s.rest.request('POST', collectionPath(jobs, s.namespace) + query({ fieldManager: 'kubectl-create', fieldValidation: 'Strict' }), { body: goJson(job) });
  s.io.out(`${typeName(jobs)}/${name} created\n`);
  return 0;
}
