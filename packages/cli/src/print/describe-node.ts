import type { Node, Pod } from '@kjobs/api';
import { writeEvents } from './describe-events.js';
import type { DescribeContext } from './describe-job.js';
import { DescribeWriter, LEVEL_0, LEVEL_1, writeAnnotations, writeLabels, writeMultiline } from './describe-writer.js';
import { formatBytes, formatCpu, parseQuantity } from './quantity.js';
import { ageSince, formatRFC1123Z } from './time.js';

/** A node describe also needs the node's non-terminated pods. */
export interface NodeDescribeContext extends DescribeContext {
  pods: Pod[] | null;
}

const RESOURCE_ORDER = ['cpu', 'memory', 'ephemeral-storage', 'pods'];
function sortResources(names: string[]): string[] {
  return [...names].sort((a, b) => {
    const ia = RESOURCE_ORDER.indexOf(a);
    const ib = RESOURCE_ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function podTotals(pod: Pod): { cpuReq: number; cpuLim: number; memReq: number; memLim: number } {
  const t = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const c of pod.spec.containers ?? []) {
    t.cpuReq += parseQuantity(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);
    t.cpuLim += parseQuantity(c.resources?.limits?.cpu);
    t.memReq += parseQuantity(c.resources?.requests?.memory ?? c.resources?.limits?.memory);
    t.memLim += parseQuantity(c.resources?.limits?.memory);
  }
  return t;
}

const pct = (v: number, of: number) => (of > 0 ? Math.trunc((v / of) * 100) : 0);

/** `kjobs describe node`: kubectl's node describer (conditions, addresses, capacity, pods, allocated resources). */
export function describeNode(node: Node, ctx: NodeDescribeContext): string {
  const w = new DescribeWriter();
  const st = node.status ?? {};
  const t = (s: string | undefined) => (s ? formatRFC1123Z(s, ctx.tzOffsetMinutes) : '<unknown>');
  w.write(LEVEL_0, `Name:\t${node.metadata.name ?? ''}\n`);
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  w.write(LEVEL_0, `Roles:\t${roles.length ? roles.sort().join(',') : '<none>'}\n`);
  writeLabels(w, 'Labels', node.metadata.labels);
  writeAnnotations(w, 'Annotations', node.metadata.annotations);
  w.write(LEVEL_0, `CreationTimestamp:\t${t(node.metadata.creationTimestamp ?? undefined)}\n`);
  writeMultiline(w, 'Taints', (node.spec?.taints ?? []).map((x) => `${x.key}${x.value ? `=${x.value}` : ''}:${x.effect}`));
  w.write(LEVEL_0, `Unschedulable:\t${node.spec?.unschedulable ?? false}\n`);
  if (st.conditions?.length) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of st.conditions) {
      w.write(LEVEL_1, `${c.type} \t${c.status} \t${t(c.lastHeartbeatTime)} \t${t(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
    }
  }
  w.write(LEVEL_0, 'Addresses:\n');
  for (const a of st.addresses ?? []) w.write(LEVEL_1, `${a.type}:\t${a.address}\n`);
  for (const [title, list] of [['Capacity', st.capacity], ['Allocatable', st.allocatable]] as const) {
    if (!list || Object.keys(list).length === 0) continue;
    w.write(LEVEL_0, `${title}:\n`);
    for (const r of sortResources(Object.keys(list))) w.write(LEVEL_0, `  ${r}:\t${list[r]}\n`);
  }
  const info = st.nodeInfo ?? {};
  w.write(LEVEL_0, 'System Info:\n');
  for (const [label, key] of [
    ['Machine ID', 'machineID'], ['System UUID', 'systemUUID'], ['Boot ID', 'bootID'], ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'], ['Operating System', 'operatingSystem'], ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'], ['Kubelet Version', 'kubeletVersion'], ['Kube-Proxy Version', 'kubeProxyVersion'],
  ] as const) {
    w.write(LEVEL_0, `  ${label}:\t${info[key] ?? ''}\n`);
  }
  if (node.spec?.podCIDR) w.write(LEVEL_0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if (ctx.pods) writeNodePods(w, node, ctx.pods, ctx.now);
  writeEvents(w, ctx.events, ctx.now);
  return w.toString();
}

function writeNodePods(w: DescribeWriter, node: Node, pods: Pod[], now: Date): void {
  const alloc = node.status?.allocatable && Object.keys(node.status.allocatable).length ? node.status.allocatable : node.status?.capacity ?? {};
  const cpu = parseQuantity(alloc.cpu);
  const mem = parseQuantity(alloc.memory);
  w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(LEVEL_1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(LEVEL_1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const sum = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const p of pods) {
    const x = podTotals(p);
    sum.cpuReq += x.cpuReq;
    sum.cpuLim += x.cpuLim;
    sum.memReq += x.memReq;
    sum.memLim += x.memLim;
    w.write(LEVEL_1, `${p.metadata.namespace ?? ''}\t${p.metadata.name ?? ''}\t\t${formatCpu(x.cpuReq)} (${pct(x.cpuReq, cpu)}%)\t`
      + `${formatCpu(x.cpuLim)} (${pct(x.cpuLim, cpu)}%)\t${formatBytes(x.memReq)} (${pct(x.memReq, mem)}%)\t`
      + `${formatBytes(x.memLim)} (${pct(x.memLim, mem)}%)\t${ageSince(p.metadata.creationTimestamp, now)}\n`);
  }
  w.write(LEVEL_0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(LEVEL_1, 'Resource\tRequests\tLimits\n');
  w.write(LEVEL_1, '--------\t--------\t------\n');
  w.write(LEVEL_1, `cpu\t${formatCpu(sum.cpuReq)} (${pct(sum.cpuReq, cpu)}%)\t${formatCpu(sum.cpuLim)} (${pct(sum.cpuLim, cpu)}%)\n`);
  w.write(LEVEL_1, `memory\t${formatBytes(sum.memReq)} (${pct(sum.memReq, mem)}%)\t${formatBytes(sum.memLim)} (${pct(sum.memLim, mem)}%)\n`);
}
