import type { TableColumn, TableRow } from '../print/table.js';
import { RERUN_INDEXES_ANNOTATION, RERUN_OF_ANNOTATION } from './rerun-job.js';

/**
 * `kjobs get jobs` with a `RERUN-OF` column (`<original>[<indexes>]`) when any listed Job is a
 * `kjobs rerun`; the table is returned as it came otherwise, so plain listings match kubectl's.
 * Pure; never mutates its input.
 */
export function withRerunColumn(columns: TableColumn[], rows: TableRow[]): { columns: TableColumn[]; rows: TableRow[] } {
  const annotationsOf = (row: TableRow) => (row.object?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
  if (!rows.some((row) => annotationsOf(row)[RERUN_OF_ANNOTATION])) return { columns, rows };
  return {
    columns: [...columns, { name: 'Rerun-Of', type: 'string', description: 'the Job whose indexes this Job re-runs (kjobs rerun)', priority: 0 }],
    rows: rows.map((row) => {
      const a = annotationsOf(row);
      const of = a[RERUN_OF_ANNOTATION];
      return { ...row, cells: [...row.cells, of ? `${of}[${a[RERUN_INDEXES_ANNOTATION] ?? ''}]` : '<none>'] };
    }),
  };
}
