import { type Pod, qosClass as specQosClass } from '@kjobs/api';
import { writeContainers, writeVolumes } from './describe-containers.js';
import { writeEvents } from './describe-events.js';
import type { DescribeContext } from './describe-job.js';
import { DescribeWriter, LEVEL_0, LEVEL_1, formatToleration, writeAnnotations, writeLabels, writeMultiline } from './describe-writer.js';
import { ageSince, formatRFC1123Z } from './time.js';

/** The pod's QoS class: its status's, else as Kubernetes derives it from the spec. */
export function qosClass(pod: Pod): string {
  return pod.status?.qosClass ?? specQosClass(pod.spec);
}

function fieldOf(pod: Pod, path: string): string {
  let cur: unknown = pod;
  for (const part of path.replace(/\['([^']+)'\]/g, '.$1').split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** `kjobs describe pod`: kubectl's pod describer layout (node, status, IPs, containers, conditions, events). */
export function describePod(pod: Pod, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  const st = pod.status ?? {};
  w.write(LEVEL_0, `Name:\t${pod.metadata.name ?? ''}\n`);
  w.write(LEVEL_0, `Namespace:\t${pod.metadata.namespace ?? ''}\n`);
  if (typeof pod.spec.priority === 'number') w.write(LEVEL_0, `Priority:\t${pod.spec.priority}\n`);
  if (pod.spec.serviceAccountName) w.write(LEVEL_0, `Service Account:\t${pod.spec.serviceAccountName}\n`);
  w.write(LEVEL_0, pod.spec.nodeName ? `Node:\t${pod.spec.nodeName}/${st.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (st.startTime) w.write(LEVEL_0, `Start Time:\t${formatRFC1123Z(st.startTime, ctx.tzOffsetMinutes)}\n`);
  writeLabels(w, 'Labels', pod.metadata.labels);
  writeAnnotations(w, 'Annotations', pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp) {
    w.write(LEVEL_0, `Status:\tTerminating (lasts ${ageSince(pod.metadata.deletionTimestamp, ctx.now)})\n`);
    w.write(LEVEL_0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(LEVEL_0, `Status:\t${st.phase ?? ''}\n`);
  }
  if (st.reason) w.write(LEVEL_0, `Reason:\t${st.reason}\n`);
  if (st.message) w.write(LEVEL_0, `Message:\t${st.message}\n`);
  w.write(LEVEL_0, `IP:\t${st.podIP ?? ''}\n`);
  if (!st.podIPs?.length) {
    w.write(LEVEL_0, 'IPs:\t<none>\n');
  } else {
    w.write(LEVEL_0, 'IPs:\n');
    for (const ip of st.podIPs) w.write(LEVEL_1, `IP:\t${ip.ip}\n`);
  }
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (owner) w.write(LEVEL_0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  const value = (path: string) => fieldOf(pod, path);
  if (pod.spec.initContainers?.length) writeContainers(w, 'Init Containers', pod.spec.initContainers, st.initContainerStatuses, '', ctx, value);
  writeContainers(w, 'Containers', pod.spec.containers ?? [], st.containerStatuses ?? [], '', ctx, value);
  if (st.conditions?.length) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
    for (const c of st.conditions) w.write(LEVEL_1, `${c.type} \t${c.status} \n`);
  }
  writeVolumes(w, pod.spec.volumes as Record<string, unknown>[] | undefined, '');
  w.write(LEVEL_0, `QoS Class:\t${qosClass(pod)}\n`);
  writeLabels(w, 'Node-Selectors', pod.spec.nodeSelector);
  writeMultiline(w, 'Tolerations', (pod.spec.tolerations ?? []).map((t) => formatToleration(t)));
  writeEvents(w, ctx.events, ctx.now);
  return w.toString();
}
