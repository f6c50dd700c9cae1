import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { KList, KObject } from '@kjobs/api';
import { CliError, formatError } from '../errors.js';
import { asList, toJsonOutput, toYamlOutput } from '../print/objects.js';
import { executeJsonPath, parseOutputFormat, type OutputFormat } from '../print/output-format.js';
import { withRerunColumn } from '../extensions/rerun-column.js';
import { TablePrinter, isTable, objectsAsTable, type Table, type TableColumn, type TableRow } from '../print/table.js';
import type { ProgramContext } from '../program.js';
import {
  collectionPath, objectPath, parseResourceArgs, query, resolveTypes, typeName, type ApiResource,
} from '../resources.js';
import { TABLE_ACCEPT } from '../rest.js';
import { interruptSignal, type Session } from '../session.js';
import { streamWatch, watchError } from '../watch.js';
import { LiveJobProgress } from './progress.js';

/** Flags of `kjobs get`. */
export interface GetOptions {
  selector?: string;
  fieldSelector?: string;
  output?: string;
  /** `--template`: the template of `-o jsonpath` (as `-o jsonpath=TEMPLATE`). */
  template?: string;
  watch?: boolean;
  watchOnly?: boolean;
  allNamespaces?: boolean;
  showLabels?: boolean;
  headers?: boolean;
  /** `-a`: accepted so the book's `get pod … -a` runs; finished pods and Jobs are always listed. */
  showAll?: boolean;
}

const EXAMPLES = `
Examples:
  # List the Jobs in the current namespace
  kjobs get jobs

  # List the pods of a Job, with their IPs and nodes
  kjobs get pods -l job-name=oneshot -o wide

  # Watch pods appear, run and complete
  kjobs get pods -w

  # Several types at once, in every namespace
  kjobs get rs,svc,job -A --show-labels

  # One Job as YAML
  kjobs get job oneshot -o yaml

  # Names only, or your own columns (kubectl's JSONPath)
  kjobs get jobs -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.succeeded}{"\\n"}{end}'
  kjobs get jobs -o custom-columns=NAME:.metadata.name,DONE:.status.succeeded`;

/** Register `kjobs get`. */
export function registerGet(program: Command, ctx: ProgramContext): void {
  program
    .command('get')
    .description('Display one or many resources (jobs, cronjobs, pods, nodes, …) as kubectl does')
    .argument('[resources...]', 'TYPE[,TYPE...] [NAME...] or TYPE/NAME ...')
    .option('-l, --selector <selector>', 'label selector to filter on (e.g. -l key1=value1,key2=value2)')
    .option('--field-selector <selector>', 'field selector to filter on (e.g. --field-selector status.phase=Running)')
    .option('-o, --output <format>', 'output format: wide, yaml, json, name, jsonpath=TEMPLATE, jsonpath-file=FILE, jsonpath-as-json=TEMPLATE, custom-columns=SPEC or custom-columns-file=FILE')
    .option('--template <template>', 'the template for -o jsonpath (kubectl JSONPath: {.items[*].metadata.name})')
    .option('-w, --watch', 'after listing, watch for changes')
    .option('--watch-only', 'watch for changes without listing first')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('--show-labels', 'show all labels as the last column')
    .option('--no-headers', "don't print headers")
    .option('-a, --show-all', "accepted for the book's commands (kubectl ≤1.14): finished pods and Jobs are always listed")
    .addHelpText('after', EXAMPLES)
    .action(async (resources: string[], opts: GetOptions, cmd: Command) => ctx.run(cmd, (s) => runGet(s, resources, opts)));
}

const isTabular = (f: OutputFormat) => f.kind === 'table' || f.kind === 'wide';

interface Target {
  r: ApiResource;
  names: string[];
}

/** `kjobs get`: tables from the server, or objects as json/yaml/name; `-w` streams changes. */
export async function runGet(s: Session, args: string[], o: GetOptions): Promise<number> {
  if (args.length === 0) {
    throw new CliError('You must specify the type of resource to get. Use "kjobs api-resources" for a complete list of supported resources.');
  }
  const format = parseOutputFormat(o.output, { template: o.template, noHeaders: o.headers === false, readFile: (p) => readFileSync(p, 'utf8') });
  const resources = await s.discovery();
  const targets: Target[] = parseResourceArgs(args).flatMap((req) => resolveTypes(req.type, resources).map((r) => ({ r, names: req.names })));
  if (o.watch || o.watchOnly) {
    if (targets.length !== 1 || targets[0]!.names.length > 1) {
      throw new CliError(`watch is only supported on individual resources and resource collections, but ${targets.length} resource types were requested`);
    }
    return watchGet(s, targets[0]!, format, o);
  }
  const ns = o.allNamespaces ? undefined : s.namespace;
  let failed = 0;
  const report = (e: unknown) => {
    s.io.err(`${formatError(e)}\n`);
    failed = 1;
  };
  if (isTabular(format)) {
    let printed = false;
    for (const t of targets) {
      const fetched = await fetchRows(s, t, ns, o, report);
      const { columns, rows } = t.r.kind === 'Job' ? withRerunColumn(fetched.columns, fetched.rows) : fetched;
      if (rows.length === 0) continue;
      const printer = new TablePrinter({
        wide: format.kind === 'wide', withNamespace: !!o.allNamespaces && t.r.namespaced, showLabels: o.showLabels,
        kindPrefix: targets.length > 1 ? typeName(t.r) : undefined, noHeaders: o.headers === false, color: s.io.color,
      });
      if (printed) s.io.out('\n');
      s.io.out(printer.print(columns, rows));
      printed = true;
    }
    if (!printed && !targets.some((t) => t.names.length)) s.io.err(`${noResourcesMessage(targets.map((t) => t.r), ns)}\n`);
    return failed;
  }
  const objects: { r: ApiResource; obj: KObject }[] = [];
  for (const t of targets) {
    for (const obj of await fetchObjects(s, t, ns, o, report)) objects.push({ r: t.r, obj });
  }
  const single = targets.length === 1 && targets[0]!.names.length === 1;
  if (format.kind === 'name') {
    for (const { r, obj } of objects) s.io.out(`${typeName(r)}/${obj.metadata.name}\n`);
  } else if (format.kind === 'custom-columns') {
    s.io.out(format.printer.print(objects.map((x) => x.obj)));
  } else if (!(single && objects.length === 0)) {
    const value = single && objects.length === 1 ? objects[0]!.obj : asList(objects.map((x) => x.obj));
    s.io.out(format.kind === 'jsonpath' ? executeJsonPath(format, value) : format.kind === 'json' ? toJsonOutput(value) : toYamlOutput(value));
  }
  return failed;
}

/** "No resources found in default namespace." or, across namespaces, "No resources found". */
export function noResourcesMessage(rs: ApiResource[], ns: string | undefined): string {
  return ns && rs.some((r) => r.namespaced) ? `No resources found in ${ns} namespace.` : 'No resources found';
}

function withTypeMeta(r: ApiResource, o: KObject): KObject {
  return { ...o, apiVersion: o.apiVersion ?? (r.group ? `${r.group}/${r.version}` : r.version), kind: o.kind ?? r.kind };
}

async function fetchRows(
  s: Session, t: Target, ns: string | undefined, o: GetOptions, report: (e: unknown) => void,
): Promise<{ columns: TableColumn[]; rows: TableRow[]; resourceVersion?: string }> {
  const now = s.io.now();
  const asTable = (body: unknown): Table => {
    if (isTable(body)) return body;
    const b = body as KList | KObject;
    return objectsAsTable('items' in b && Array.isArray(b.items) ? (b as KList).items : [b as KObject], now);
  };
  if (t.names.length === 0) {
    const path = collectionPath(t.r, ns) + query({ labelSelector: o.selector, fieldSelector: o.fieldSelector });
    const table = asTable(await s.rest.request('GET', path, { accept: TABLE_ACCEPT }));
    return { columns: table.columnDefinitions ?? [], rows: table.rows ?? [], resourceVersion: table.metadata?.resourceVersion };
  }
  let columns: TableColumn[] = [];
  const rows: TableRow[] = [];
  for (const name of t.names) {
    try {
      const table = asTable(await s.rest.request('GET', objectPath(t.r, ns ?? s.namespace, name), { accept: TABLE_ACCEPT }));
      if (table.columnDefinitions?.length) columns = table.columnDefinitions;
      rows.push(...(table.rows ?? []));
    } catch (e) {
      report(e);
    }
  }
  return { columns, rows };
}

async function fetchObjects(s: Session, t: Target, ns: string | undefined, o: GetOptions, report: (e: unknown) => void): Promise<KObject[]> {
  if (t.names.length === 0) {
    const list = await s.rest.request<KList>('GET', collectionPath(t.r, ns) + query({ labelSelector: o.selector, fieldSelector: o.fieldSelector }));
    return list.items.map((x) => withTypeMeta(t.r, x));
  }
  const out: KObject[] = [];
  for (const name of t.names) {
    try {
      out.push(withTypeMeta(t.r, await s.rest.request<KObject>('GET', objectPath(t.r, ns ?? s.namespace, name))));
    } catch (e) {
      report(e);
    }
  }
  return out;
}

/**
 * `get -w`: print the current state (unless --watch-only), then one row (or object) per watch
 * event until the server closes the stream or Ctrl-C. On a TTY, watching one Job also keeps a
 * live progress bar under the rows.
 */
async function watchGet(s: Session, t: Target, format: OutputFormat, o: GetOptions): Promise<number> {
  const ns = o.allNamespaces ? undefined : s.namespace;
  const name = t.names[0];
  const { signal, dispose } = interruptSignal(s.io);
  const live = name && t.r.kind === 'Job' && s.io.isTTY && isTabular(format)
    ? new LiveJobProgress(s, t.r, s.namespace, name, signal)
    : undefined;
  const write = (text: string) => (live ? live.printAbove(text) : s.io.out(text));
  try {
    const tabular = isTabular(format);
    const printer = new TablePrinter({
      wide: format.kind === 'wide', withNamespace: !!o.allNamespaces && t.r.namespaced, showLabels: o.showLabels,
      noHeaders: o.headers === false, color: s.io.color,
    });
    let rv: string | undefined;
    if (tabular) {
      const { columns, rows, resourceVersion } = await fetchRows(s, t, ns, o, (e) => {
        throw e;
      });
      rv = name ? rows[0]?.object?.metadata?.resourceVersion : resourceVersion;
      if (o.watchOnly) printer.print(columns, []);
      else write(printer.print(columns, rows));
    } else {
      const list = name
        ? await s.rest.request<KObject>('GET', objectPath(t.r, s.namespace, name))
        : await s.rest.request<KList>('GET', collectionPath(t.r, ns) + query({ labelSelector: o.selector, fieldSelector: o.fieldSelector }));
      rv = list.metadata.resourceVersion;
      if (!o.watchOnly) {
        const objs = name ? [list as KObject] : (list as KList).items;
        for (const obj of objs) write(renderObject(t.r, withTypeMeta(t.r, obj), format));
      }
    }
    await live?.start();
    const path = collectionPath(t.r, name ? s.namespace : ns) + query({
      watch: true, labelSelector: o.selector,
      fieldSelector: name ? [`metadata.name=${name}`, o.fieldSelector].filter(Boolean).join(',') : o.fieldSelector,
      resourceVersion: rv,
    });
    await streamWatch(s.rest, path, tabular ? TABLE_ACCEPT : 'application/json', (ev) => {
      if (ev.type === 'BOOKMARK') return;
      if (ev.type === 'ERROR') throw watchError(ev);
      if (tabular) {
        const table = isTable(ev.object) ? ev.object : objectsAsTable([ev.object as KObject], s.io.now());
        write(printer.print(table.columnDefinitions, table.rows ?? []));
      } else {
        write(renderObject(t.r, withTypeMeta(t.r, ev.object as KObject), format));
      }
    }, signal);
    return 0;
  } finally {
    live?.stop();
    dispose();
  }
}

function renderObject(r: ApiResource, obj: KObject, format: OutputFormat): string {
  if (format.kind === 'name') return `${typeName(r)}/${obj.metadata.name}\n`;
  if (format.kind === 'json') return toJsonOutput(obj);
  if (format.kind === 'jsonpath') return executeJsonPath(format, obj);
  if (format.kind === 'custom-columns') return format.printer.print([obj]);
  return `---\n${toYamlOutput(obj)}`;
}
