import type { ReplicaSet } from '../types.js';
import { formatSelectorCell, layoutContainerCells } from './cell-format.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow } from './table-types.js';

/** A ReplicaSet row (printers.go printReplicaSet): DESIRED, CURRENT, READY as integers. */
export function printReplicaSet(rs: ReplicaSet, now: Date): PrintedRow {
  const { names, images } = layoutContainerCells(rs.spec?.template?.spec?.containers);
  return {
    cells: [
      rs.metadata.name ?? '', rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0,
      translateTimestampSince(rs.metadata.creationTimestamp, now), names, images, formatSelectorCell(rs.spec?.selector),
    ],
  };
}

/** ReplicaSet columns and printer. */
export const REPLICASET_PRINTER: Printer<ReplicaSet> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Desired', 'integer', D.rsDesired),
    column('Current', 'integer', D.rsCurrent),
    column('Ready', 'integer', D.rsReady),
    column('Age', 'string', D.age),
    column('Containers', 'string', D.containers, 1),
    column('Images', 'string', D.images, 1),
    column('Selector', 'string', D.rsSelector, 1),
  ],
  print: printReplicaSet,
};
