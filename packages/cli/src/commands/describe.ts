import type { Command } from 'commander';
import { isApiError, type Event, type KList, type KObject, type Pod } from '@kjobs/api';
import { formatError } from '../errors.js';
import { describeObject } from '../print/describe.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, parseResourceArgs, query, resolveResource, resolveTypes, type ApiResource } from '../resources.js';
import type { Session } from '../session.js';
import { noResourcesMessage } from './get.js';

const EXAMPLES = `
Examples:
  # The chapter's one-shot Job: selector, parallelism, pod statuses, template and events
  kjobs describe jobs oneshot

  # Every pod whose name starts with "oneshot"
  kjobs describe pods oneshot

  # Pods of a Job by label
  kjobs describe pods -l job-name=oneshot

  # A CronJob and a node
  kjobs describe cronjob/example-cron
  kjobs describe node node-1`;

/** Register `kjobs describe`. */
export function registerDescribe(program: Command, ctx: ProgramContext): void {
  program
    .command('describe')
    .description('Show details of a resource or group of resources (kubectl describe layout)')
    .argument('<resources...>', 'TYPE [NAME_PREFIX...] or TYPE/NAME ...')
    .option('-l, --selector <selector>', 'label selector to filter on')
    .option('-A, --all-namespaces', 'describe across all namespaces')
    .addHelpText('after', EXAMPLES)
    .action(async (args: string[], opts: { selector?: string; allNamespaces?: boolean }, cmd: Command) =>
      ctx.run(cmd, (s) => runDescribe(s, args, opts)));
}

/** The events about `obj` (null when they cannot be listed), with kubectl's field selector. */
export async function eventsFor(s: Session, r: ApiResource, obj: KObject): Promise<Event[] | null> {
  const events = resolveResource('events', await s.discovery());
  if (!events) return null;
  const ns = obj.metadata.namespace;
  const terms = [
    `involvedObject.name=${obj.metadata.name ?? ''}`,
    ...(ns ? [`involvedObject.namespace=${ns}`] : []),
    ...(r.kind !== 'Pod' ? [`involvedObject.kind=${r.kind}`] : []),
    ...(obj.metadata.uid ? [`involvedObject.uid=${obj.metadata.uid}`] : []),
  ];
  try {
    const list = await s.rest.request<KList<Event>>('GET', collectionPath(events, ns) + query({ fieldSelector: terms.join(','), limit: 500 }));
    return list.items;
  } catch {
    return null;
  }
}

async function nodePods(s: Session, node: KObject): Promise<Pod[] | null> {
  const pods = resolveResource('pods', await s.discovery());
  if (!pods) return null;
  try {
    const sel = `spec.nodeName=${node.metadata.name ?? ''},status.phase!=Succeeded,status.phase!=Failed`;
    return (await s.rest.request<KList<Pod>>('GET', collectionPath(pods) + query({ fieldSelector: sel }))).items;
  } catch {
    return null;
  }
}

/** The objects one describe argument means: exact names, else names starting with the prefix. */
async function findObjects(s: Session, r: ApiResource, names: string[], ns: string | undefined, selector: string | undefined, report: (e: unknown) => void): Promise<KObject[]> {
  if (names.length === 0) {
    return (await s.rest.request<KList>('GET', collectionPath(r, ns) + query({ labelSelector: selector }))).items;
  }
  const out: KObject[] = [];
  for (const name of names) {
    try {
      out.push(await s.rest.request<KObject>('GET', objectPath(r, ns ?? s.namespace, name)));
    } catch (e) {
      if (!isApiError(e, 404)) {
        report(e);
        continue;
      }
      const all = (await s.rest.request<KList>('GET', collectionPath(r, ns ?? s.namespace) + query({ labelSelector: selector }))).items;
      const matching = all.filter((o) => (o.metadata.name ?? '').startsWith(name));
      if (matching.length === 0) report(e);
      out.push(...matching);
    }
  }
  return out;
}

/** `kjobs describe`: one kubectl-style description per object, separated by blank lines. */
export async function runDescribe(s: Session, args: string[], o: { selector?: string; allNamespaces?: boolean }): Promise<number> {
  const resources = await s.discovery();
  const ns = o.allNamespaces ? undefined : s.namespace;
  let failed = 0;
  let first = true;
  let any = false;
  const report = (e: unknown) => {
    s.io.err(`${formatError(e)}\n`);
    failed = 1;
  };
  const requests = parseResourceArgs(args);
  for (const req of requests) {
    for (const r of resolveTypes(req.type, resources)) {
      for (const obj of await findObjects(s, r, req.names, ns, o.selector, report)) {
        any = true;
        const events = await eventsFor(s, r, obj);
        const pods = r.kind === 'Node' ? await nodePods(s, obj) : undefined;
        const text = describeObject(r.kind, { ...obj, kind: obj.kind ?? r.kind }, { now: s.io.now(), events, pods });
        s.io.out(first ? text : `\n\n${text}`);
        first = false;
      }
    }
  }
  if (!any && failed === 0) {
    s.io.err(`${noResourcesMessage(requests.flatMap((q) => resolveTypes(q.type, resources)), ns)}\n`);
  }
  return failed;
}
