import type { ListMeta, ObjectMeta } from '../types.js';

/** One column of a meta.k8s.io/v1 Table. kubectl hides columns with priority > 0 unless `-o wide`. */
export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: "string", "integer", "boolean", "number", "date". */
  type: string;
  /** "name" for the column holding the object's name, else "". */
  format: string;
  description: string;
  priority: number;
}

/** A cell: kubectl prints strings, integers and booleans as they are. */
export type TableCell = string | number | boolean;

/** A condition of a row (Pods: Completed=True when Succeeded or Failed). */
export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** The object behind a row, metadata only: kubectl reads namespace (for -A) and labels (--show-labels, -L). */
export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

/** One row of a Table. */
export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object: PartialObjectMetadata;
}

/** meta.k8s.io/v1 Table: what the API server answers to `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  /** resourceVersion (and continue) of the list the rows come from. */
  metadata: ListMeta & { [field: string]: unknown };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** The cells (and row conditions) a printer makes of one object. */
export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

/** A kind's columns and the function that fills them: one per kind, as in Kubernetes printers.go. */
export interface Printer<T = never> {
  columns: readonly TableColumnDefinition[];
  print(obj: T, now: Date): PrintedRow;
}

/** Build a column definition (format "name" only for the Name column). */
export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}
