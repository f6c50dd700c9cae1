import type { KObject } from '../types.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { CONFIG_MAP_PRINTER, SECRET_PRINTER } from './config-data-printers.js';
import { CRONJOB_PRINTER } from './cronjob-printer.js';
import { EVENT_PRINTER } from './event-printer.js';
import { JOB_PRINTER } from './job-printer.js';
import { LEASE_PRINTER, NAMESPACE_PRINTER } from './namespace-lease-printers.js';
import { NODE_PRINTER } from './node-printer.js';
import { POD_PRINTER } from './pod-printer.js';
import { REPLICASET_PRINTER } from './replicaset-printer.js';
import { SERVICE_PRINTER } from './service-printer.js';
import { column, type Printer, type Table, type TableColumnDefinition, type TableRow } from './table-types.js';
import { cloneJson } from '../patch/json-value.js';

/** Kubernetes' default table for kinds without a printer: Name and Created At. */
const DEFAULT_PRINTER: Printer<KObject> = {
  columns: [column('Name', 'string', D.name, 0, 'name'), column('Created At', 'date', D.age)],
  print: (obj) => ({ cells: [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''] }),
};

const PRINTERS: Readonly<Record<string, Printer<KObject>>> = {
  Pod: POD_PRINTER,
  Job: JOB_PRINTER,
  CronJob: CRONJOB_PRINTER,
  ReplicaSet: REPLICASET_PRINTER,
  Service: SERVICE_PRINTER,
  Node: NODE_PRINTER,
  Namespace: NAMESPACE_PRINTER,
  Event: EVENT_PRINTER,
  Lease: LEASE_PRINTER,
  ConfigMap: CONFIG_MAP_PRINTER,
  Secret: SECRET_PRINTER,
} as unknown as Record<string, Printer<KObject>>;

/** Options of {@link toTable}. */
export interface ToTableOptions {
  /** Include columnDefinitions (default true). The API server sends them only in the first watch event. */
  includeColumnDefinitions?: boolean;
  /** metadata.resourceVersion of the Table: the list's (or the watch event object's) resourceVersion. */
  resourceVersion?: string;
}

/** The Table columns of a kind, every priority included (kubectl hides priority > 0 unless -o wide). */
export function tableColumns(kind: string): readonly TableColumnDefinition[] {
  return (PRINTERS[kind] ?? DEFAULT_PRINTER).columns;
}

/**
 * The meta.k8s.io/v1 Table the Kubernetes API server answers for these objects, built the way
 * printers.go builds it (always the wide column set); every row carries the object's metadata as
 * PartialObjectMetadata so `-A` and `--show-labels` work. Ages are computed against `now`.
 * Never mutates the objects.
 */
export function toTable(kind: string, objects: readonly KObject[], now: Date, opts: ToTableOptions = {}): Table {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  const rows: TableRow[] = objects.map((obj) => {
    const printed = printer.print(obj, now);
    const row: TableRow = {
      cells: printed.cells,
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cloneJson(obj.metadata ?? {}) },
    };
    if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions: opts.includeColumnDefinitions === false ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
