import type { Node } from '../types.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow } from './table-types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

/** STATUS: Ready / NotReady from the Ready condition, Unknown without one, plus ",SchedulingDisabled" when cordoned. */
export function nodeStatusCell(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

/** A Node row (printers.go printNode). */
export function printNode(node: Node, now: Date): PrintedRow {
  const info = node.status?.nodeInfo ?? {};
  return {
    cells: [
      node.metadata.name ?? '', nodeStatusCell(node), nodeRoles(node).join(',') || '<none>', translateTimestampSince(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '', address(node, 'InternalIP'), address(node, 'ExternalIP'), info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ],
  };
}

/** Node columns and printer. */
export const NODE_PRINTER: Printer<Node> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Status', 'string', D.nodeStatus),
    column('Roles', 'string', D.nodeRoles),
    column('Age', 'string', D.age),
    column('Version', 'string', D.nodeVersion),
    column('Internal-IP', 'string', D.nodeAddresses, 1),
    column('External-IP', 'string', D.nodeAddresses, 1),
    column('OS-Image', 'string', D.nodeOSImage, 1),
    column('Kernel-Version', 'string', D.nodeKernel, 1),
    column('Container-Runtime', 'string', D.nodeRuntime, 1),
  ],
  print: printNode,
};
