import type { Lease, Namespace } from '../types.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer } from './table-types.js';

/** Namespace columns and printer: NAME, STATUS (the phase), AGE. */
export const NAMESPACE_PRINTER: Printer<Namespace> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Status', 'string', D.namespaceStatus),
    column('Age', 'string', D.age),
  ],
  print: (ns, now) => ({ cells: [ns.metadata.name ?? '', ns.status?.phase ?? '', translateTimestampSince(ns.metadata.creationTimestamp, now)] }),
};

/** Lease columns and printer: NAME, HOLDER, AGE. */
export const LEASE_PRINTER: Printer<Lease> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Holder', 'string', D.leaseHolder),
    column('Age', 'string', D.age),
  ],
  print: (lease, now) => ({ cells: [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', translateTimestampSince(lease.metadata.creationTimestamp, now)] }),
};
