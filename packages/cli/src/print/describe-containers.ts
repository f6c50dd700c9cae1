import type { Container, ContainerState, ContainerStatus, PodTemplateSpec, Probe, Toleration } from '@kjobs/api';
import {
  DescribeWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, formatToleration, writeAnnotations, writeLabels, writeMultiline,
} from './describe-writer.js';
import { formatRFC1123Z } from './time.js';

/** Options shared by the describe printers. */
export interface DescribeTime {
  /** Minutes east of UTC for timestamps (default: the local zone). */
  tzOffsetMinutes?: number;
}

const time = (t: string | undefined, o: DescribeTime) => (t ? formatRFC1123Z(t, o.tzOffsetMinutes) : '<unknown>');

/** kubectl's `DescribeProbe`: "http-get http://:8080/healthy delay=5s timeout=1s period=10s #success=1 #failure=3". */
export function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s `
    + `#success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase();
    const host = p.httpGet.host ?? '';
    const hostPort = String(p.httpGet.port) === '' ? host : `${host.includes(':') ? `[${host}]` : host}:${p.httpGet.port}`;
    return `http-get ${scheme}://${hostPort}${p.httpGet.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  return `unknown ${attrs}`;
}

function ports(c: Container, host: boolean): string {
  return (c.ports ?? [])
    .filter((p) => !host || p.hostPort)
    .map((p) => `${host ? p.hostPort : p.containerPort}/${p.protocol ?? 'TCP'}${!host && p.name ? ` (${p.name})` : ''}`)
    .join(', ');
}

function writeState(w: DescribeWriter, name: string, st: ContainerState | undefined, o: DescribeTime): void {
  if (st?.running) {
    w.write(LEVEL_2, `${name}:\tRunning\n`);
    w.write(LEVEL_3, `Started:\t${time(st.running.startedAt, o)}\n`);
  } else if (st?.waiting) {
    w.write(LEVEL_2, `${name}:\tWaiting\n`);
    if (st.waiting.reason) w.write(LEVEL_3, `Reason:\t${st.waiting.reason}\n`);
  } else if (st?.terminated) {
    const t = st.terminated;
    w.write(LEVEL_2, `${name}:\tTerminated\n`);
    if (t.reason) w.write(LEVEL_3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(LEVEL_3, `Message:\t${t.message}\n`);
    w.write(LEVEL_3, `Exit Code:\t${t.exitCode}\n`);
    if (t.signal && t.signal > 0) w.write(LEVEL_3, `Signal:\t${t.signal}\n`);
    w.write(LEVEL_3, `Started:\t${time(t.startedAt, o)}\n`);
    w.write(LEVEL_3, `Finished:\t${time(t.finishedAt, o)}\n`);
  } else {
    w.write(LEVEL_2, `${name}:\tWaiting\n`);
  }
}

function writeResources(w: DescribeWriter, c: Container): void {
  for (const [title, list] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
    const keys = Object.keys(list ?? {}).sort();
    if (keys.length === 0) continue;
    w.write(LEVEL_2, `${title}:\n`);
    for (const k of keys) w.write(LEVEL_3, `${k}:\t${list![k]}\n`);
  }
}

function writeEnv(w: DescribeWriter, c: Container, podValue?: (path: string) => string): void {
  const env = c.env ?? [];
  w.write(LEVEL_2, `Environment:${env.length ? '' : '\t<none>'}\n`);
  for (const e of env) {
    const ref = e.valueFrom?.fieldRef;
    if (!e.valueFrom) {
      (e.value ?? '').split('\n').forEach((s, i) => w.write(LEVEL_3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    } else if (ref) {
      w.write(LEVEL_3, `${e.name}:\t${podValue ? podValue(ref.fieldPath) : ''} (${ref.apiVersion ?? 'v1'}:${ref.fieldPath})\n`);
    } else {
      const kind = Object.keys(e.valueFrom)[0] ?? 'valueFrom';
      w.write(LEVEL_3, `${e.name}:\t<set to the key in ${kind}>\n`);
    }
  }
}

function writeMounts(w: DescribeWriter, c: Container): void {
  const mounts = (c.volumeMounts ?? []) as { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  w.write(LEVEL_2, `Mounts:${mounts.length ? '' : '\t<none>'}\n`);
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path="${m.subPath}"`] : [])];
    w.write(LEVEL_3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
}

/**
 * kubectl's `describeContainers`: name, image, ports, command and args, state (when statuses
 * are given), resources, probes, environment, mounts. `space` is "  " inside a pod template.
 */
export function writeContainers(
  w: DescribeWriter, label: string, containers: Container[], statuses: ContainerStatus[] | undefined, space: string,
  o: DescribeTime, podValue?: (path: string) => string,
): void {
  w.write(LEVEL_0, `${space}${label}:\n`);
  const nameIndent = space ? ' ' : '';
  for (const c of containers) {
    const st = statuses?.find((s) => s.name === c.name);
    w.write(LEVEL_1, `${nameIndent}${c.name}:\n`);
    if (st) w.write(LEVEL_2, `Container ID:\t${st.containerID ?? ''}\n`);
    w.write(LEVEL_2, `Image:\t${c.image ?? ''}\n`);
    if (st) w.write(LEVEL_2, `Image ID:\t${st.imageID ?? ''}\n`);
    const p = ports(c, false);
    w.write(LEVEL_2, p.includes(',') ? `Ports:\t${p}\n` : `Port:\t${p || '<none>'}\n`);
    const hp = ports(c, true);
    w.write(LEVEL_2, hp.includes(',') ? `Host Ports:\t${hp}\n` : `Host Port:\t${hp || '<none>'}\n`);
    for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
      if (!list?.length) continue;
      w.write(LEVEL_2, `${title}:\n`);
      for (const item of list) for (const s of item.split('\n')) w.write(LEVEL_3, `${s}\n`);
    }
    if (st) {
      writeState(w, 'State', st.state, o);
      if (st.lastState?.terminated) writeState(w, 'Last State', st.lastState, o);
      w.write(LEVEL_2, `Ready:\t${st.ready ? 'True' : 'False'}\n`);
      w.write(LEVEL_2, `Restart Count:\t${st.restartCount ?? 0}\n`);
    }
    writeResources(w, c);
    if (c.livenessProbe) w.write(LEVEL_2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(LEVEL_2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(LEVEL_2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    writeEnv(w, c, podValue);
    writeMounts(w, c);
  }
}

/** kubectl's `describeVolumes` for the volume kinds kjobs runs (emptyDir, hostPath, configMap, secret). */
export function writeVolumes(w: DescribeWriter, volumes: Record<string, unknown>[] | undefined, space: string): void {
  if (!volumes?.length) {
    w.write(LEVEL_0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(LEVEL_0, `${space}Volumes:\n`);
  const nameIndent = space ? ' ' : '';
  for (const v of volumes) {
    w.write(LEVEL_1, `${nameIndent}${String(v.name)}:\n`);
    const ed = v.emptyDir as { medium?: string; sizeLimit?: string } | undefined;
    const hp = v.hostPath as { path?: string; type?: string } | undefined;
    const cm = v.configMap as { name?: string; optional?: boolean } | undefined;
    const sec = v.secret as { secretName?: string; optional?: boolean } | undefined;
    if (ed) {
      w.write(LEVEL_2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
      w.write(LEVEL_2, `Medium:\t${ed.medium ?? ''}\n`);
      w.write(LEVEL_2, `SizeLimit:\t${ed.sizeLimit ?? '<unset>'}\n`);
    } else if (hp) {
      w.write(LEVEL_2, 'Type:\tHostPath (bare host directory volume)\n');
      w.write(LEVEL_2, `Path:\t${hp.path ?? ''}\n`);
      w.write(LEVEL_2, `HostPathType:\t${hp.type ?? ''}\n`);
    } else if (cm) {
      w.write(LEVEL_2, 'Type:\tConfigMap (a volume populated by a ConfigMap)\n');
      w.write(LEVEL_2, `Name:\t${cm.name ?? ''}\n`);
      w.write(LEVEL_2, `Optional:\t${cm.optional ?? false}\n`);
    } else if (sec) {
      w.write(LEVEL_2, 'Type:\tSecret (a volume populated by a Secret)\n');
      w.write(LEVEL_2, `SecretName:\t${sec.secretName ?? ''}\n`);
      w.write(LEVEL_2, `Optional:\t${sec.optional ?? false}\n`);
    } else {
      w.write(LEVEL_2, 'Type:\t<unknown>\n');
    }
  }
}

/** kubectl's `DescribePodTemplate` (Job and CronJob describe). */
export function writePodTemplate(w: DescribeWriter, t: PodTemplateSpec | undefined, o: DescribeTime): void {
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!t) {
    w.write(LEVEL_1, '<unset>');
    return;
  }
  writeLabels(w, '  Labels', t.metadata?.labels);
  if (Object.keys(t.metadata?.annotations ?? {}).length) writeAnnotations(w, '  Annotations', t.metadata?.annotations);
  if (t.spec.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${t.spec.serviceAccountName}\n`);
  if (t.spec.initContainers?.length) writeContainers(w, 'Init Containers', t.spec.initContainers, undefined, '  ', o);
  writeContainers(w, 'Containers', t.spec.containers ?? [], undefined, '  ', o);
  writeVolumes(w, t.spec.volumes as Record<string, unknown>[] | undefined, '  ');
  if (t.spec.priorityClassName) w.write(LEVEL_1, `Priority Class Name:\t${String(t.spec.priorityClassName)}\n`);
  writeLabels(w, '  Node-Selectors', t.spec.nodeSelector);
  writeMultiline(w, '  Tolerations', (t.spec.tolerations ?? []).map((x: Toleration) => formatToleration(x)));
}
