import type { Command } from 'commander';
import { isApiError, type KList, type KObject } from '@kjobs/api';
import { CliError, formatError } from '../errors.js';
import { readManifests } from '../manifests.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, parseResourceArgs, query, resolveTypes, typeName, type ApiResource } from '../resources.js';
import type { Session } from '../session.js';
import { parseDuration } from '../print/time.js';
import { watchUntil } from '../watch.js';
import { placeManifest } from './apply.js';

/** Flags of `kjobs delete`. */
export interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  all?: boolean;
  cascade?: string | boolean;
  wait?: string | boolean;
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
  ignoreNotFound?: boolean;
  timeout?: string;
}

const EXAMPLES = `
Examples:
  # Delete the chapter's one-shot Job (its pods are garbage-collected)
  kjobs delete jobs oneshot

  # Everything of the chapter, by label
  kjobs delete rs,svc,job -l chapter=jobs

  # What a manifest created; keep the pods
  kjobs delete -f job-parallel.yaml --cascade=orphan`;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Register `kjobs delete`. */
export function registerDelete(program: Command, ctx: ProgramContext): void {
  program
    .command('delete')
    .description('Delete resources by file, by type and name, or by label selector; waits until they are gone')
    .argument('[resources...]', 'TYPE[,TYPE...] [NAME...] or TYPE/NAME ...')
    .option('-f, --filename <file>', 'delete what these manifests name (repeatable)', collect)
    .option('-R, --recursive', 'process directories recursively')
    .option('-l, --selector <selector>', 'delete the objects matching this label selector')
    .option('--all', 'delete every object of the types in the namespace')
    .option('--cascade [strategy]', 'background, foreground or orphan (dependents)', 'background')
    .option('--wait [bool]', 'wait until the objects are gone', 'true')
    .option('--grace-period <seconds>', 'seconds the pods get to terminate (-1: the object\'s default)', '-1')
    .option('--now', 'immediate shutdown (grace period 1)')
    .option('--force', 'with --grace-period=0: do not wait for the pods to stop')
    .option('--ignore-not-found', 'treat "not found" as success')
    .option('--timeout <duration>', 'how long to wait for deletion (0: forever)', '0s')
    .addHelpText('after', EXAMPLES)
    .action(async (args: string[], opts: DeleteFlags, cmd: Command) => ctx.run(cmd, (s) => runDelete(s, args, opts)));
}

/** kubectl's `--cascade` values as a propagation policy. */
export function propagationPolicy(cascade: string | boolean | undefined): 'Background' | 'Foreground' | 'Orphan' {
  const v = cascade === undefined || cascade === true ? 'background' : String(cascade).toLowerCase();
  switch (v) {
    case 'background': case 'true': return 'Background';
    case 'foreground': return 'Foreground';
    case 'orphan': case 'false': return 'Orphan';
    default: throw new CliError(`invalid cascade value (${String(cascade)}). Must be "background", "foreground", or "orphan".`);
  }
}

interface Victim {
  r: ApiResource;
  namespace: string;
  name: string;
}

async function victims(s: Session, args: string[], o: DeleteFlags): Promise<{ list: Victim[]; selected: boolean }> {
  const resources = await s.discovery();
  if (o.filename?.length) {
    if (args.length) throw new CliError('when paths are specified, resources may not be specified as arguments');
    const ms = await readManifests(o.filename, s.io.cwd, s.io.readStdin, o.recursive);
    return {
      list: ms.map((m) => {
        const { r, obj, namespace } = placeManifest(s, resources, m);
        return { r, namespace, name: obj.metadata.name ?? '' };
      }),
      selected: false,
    };
  }
  if (args.length === 0) throw new CliError('You must provide one or more resources by argument or filename.');
  const out: Victim[] = [];
  let selected = false;
  for (const req of parseResourceArgs(args)) {
    const types = resolveTypes(req.type, resources);
    if (req.names.length) {
      for (const r of types) for (const name of req.names) out.push({ r, namespace: s.namespace, name });
      continue;
    }
    if (!o.selector && !o.all) throw new CliError('resource(s) were provided, but no name was specified');
    selected = true;
    for (const r of types) {
      const list = await s.rest.request<KList>('GET', collectionPath(r, s.namespace) + query({ labelSelector: o.selector }));
      for (const item of list.items) out.push({ r, namespace: item.metadata.namespace ?? s.namespace, name: item.metadata.name ?? '' });
    }
  }
  return { list: out, selected };
}

/** `kjobs delete`: DELETE each object, print `job.batch "x" deleted`, then wait for them to go. */
export async function runDelete(s: Session, args: string[], o: DeleteFlags): Promise<number> {
  const policy = propagationPolicy(o.cascade);
  let grace = Number(o.gracePeriod ?? '-1');
  if (!Number.isInteger(grace)) throw new CliError(`invalid --grace-period: ${o.gracePeriod}`);
  if (o.now) grace = 1;
  if (o.force && grace < 0) grace = 0;
  const timeoutMs = parseDuration(o.timeout ?? '0s');
  if (timeoutMs === undefined) throw new CliError(`invalid --timeout: ${o.timeout}`);
  const wait = !(o.wait === false || o.wait === 'false');
  const { list, selected } = await victims(s, args, o);
  if (list.length === 0 && selected) {
    s.io.out('No resources found\n');
    return 0;
  }
  let failed = 0;
  const deleted: (Victim & { uid?: string })[] = [];
  for (const v of list) {
    try {
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy, ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) };
      const out = await s.rest.request<KObject & { details?: { uid?: string } }>('DELETE', objectPath(v.r, v.namespace, v.name), { body });
      s.io.out(`${typeName(v.r)} "${v.name}" deleted\n`);
      deleted.push({ ...v, uid: out?.metadata?.uid ?? out?.details?.uid });
    } catch (e) {
      if (o.ignoreNotFound && isApiError(e, 404)) continue;
      s.io.err(`${formatError(e)}\n`);
      failed = 1;
    }
  }
  if (wait && !(o.force && grace === 0)) {
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : undefined;
    for (const v of deleted) {
      try {
        await waitGone(s, v.r, v.namespace, v.name, v.uid, deadline === undefined ? undefined : Math.max(1, deadline - Date.now()));
      } catch (e) {
        s.io.err(`${formatError(e instanceof CliError ? new CliError(`timed out waiting for the condition on ${v.r.name}/${v.name}`) : e)}\n`);
        failed = 1;
      }
    }
  }
  return failed;
}

/** Wait until the object (that uid, when known) no longer exists. */
export function waitGone(s: Session, r: ApiResource, namespace: string, name: string, uid: string | undefined, timeoutMs?: number): Promise<true> {
  const ns = r.namespaced ? namespace : undefined;
  return watchUntil(s.rest, r, { namespace: ns, fieldSelector: `metadata.name=${name}` }, (objects) => {
    const o = objects.get(`${ns ?? ''}/${name}`);
    return !o || (uid !== undefined && o.metadata.uid !== uid) ? true : undefined;
  }, timeoutMs);
}
