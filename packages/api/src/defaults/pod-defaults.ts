/**
 * core/v1 Pod defaulting (Kubernetes 1.32 `SetDefaults_PodSpec`, `SetDefaults_Container`,
 * `SetDefaults_Probe`, `SetDefaults_Pod`) plus the admission plugins every cluster runs on Pod
 * create (Priority, DefaultTolerationSeconds). Functions here fill in place: callers pass a copy.
 */

type Obj = Record<string, unknown>;

function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function records(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(rec).filter((x): x is Obj => x !== undefined) : [];
}

/** Kubernetes' default grace period for pod termination (seconds). */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** The toleration window DefaultTolerationSeconds adds for not-ready / unreachable nodes. */
export const DEFAULT_NODE_TOLERATION_SECONDS = 300;

/**
 * The tag Kubernetes reads from an image reference (`ParseImageName`): the part after the last
 * ':' of the last path component; `latest` when there is neither tag nor digest; empty when there
 * is only a digest or the reference does not parse (upper-case repository, empty).
 */
export function imageTag(image: string): string {
  if (!image || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const lastStart = name.lastIndexOf('/') + 1;
  const colon = name.indexOf(':', lastStart);
  const repository = colon < 0 ? name : name.slice(0, colon);
  const parts = repository.split('/');
  const hasHost = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!);
  const path = (hasHost ? parts.slice(1) : parts).join('/');
  if (!path || /[A-Z]/.test(path)) return '';
  if (colon >= 0) return name.slice(colon + 1);
  return at < 0 ? 'latest' : '';
}

/** `Always` for `:latest` or an untagged image, else `IfNotPresent` (SetDefaults_Container). */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function setIfMissing(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

function setIfZero(o: Obj, key: string, value: number): void {
  if (o[key] === undefined || o[key] === null || o[key] === 0) o[key] = value;
}

/** SetDefaults_Probe (+ HTTPGetAction path "/" and scheme HTTP). */
export function defaultProbe(probe: Obj): void {
  setIfZero(probe, 'timeoutSeconds', 1);
  setIfZero(probe, 'periodSeconds', 10);
  setIfZero(probe, 'successThreshold', 1);
  setIfZero(probe, 'failureThreshold', 3);
  const http = rec(probe.httpGet);
  if (http) {
    setIfMissing(http, 'path', '/');
    setIfMissing(http, 'scheme', 'HTTP');
  }
}

/** SetDefaults_Container and the defaults of its ports, probes and env field references. */
export function defaultContainer(c: Obj, hostNetwork: boolean): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultImagePullPolicy(typeof c.image === 'string' ? c.image : '');
  setIfMissing(c, 'terminationMessagePath', '/dev/termination-log');
  setIfMissing(c, 'terminationMessagePolicy', 'File');
  for (const port of records(c.ports)) {
    setIfMissing(port, 'protocol', 'TCP');
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  for (const name of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const probe = rec(c[name]);
    if (probe) defaultProbe(probe);
  }
  for (const env of records(c.env)) {
    const fieldRef = rec(rec(env.valueFrom)?.fieldRef);
    if (fieldRef) setIfMissing(fieldRef, 'apiVersion', 'v1');
  }
}

/** SetDefaults_PodSpec plus container defaults: the part shared by Pods and pod templates. */
export function defaultPodSpec(spec: Obj): void {
  setIfMissing(spec, 'dnsPolicy', 'ClusterFirst');
  setIfMissing(spec, 'restartPolicy', 'Always');
  if (rec(spec.securityContext) === undefined) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds == null) spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  setIfMissing(spec, 'schedulerName', 'default-scheduler');
  const hostNetwork = spec.hostNetwork === true;
  for (const c of [...records(spec.containers), ...records(spec.initContainers)]) defaultContainer(c, hostNetwork);
}

/** Pod templates (Job, CronJob jobTemplate, ReplicaSet): the pod spec defaults. */
export function defaultPodTemplate(template: Obj | undefined): void {
  const spec = rec(template?.spec);
  if (spec) defaultPodSpec(spec);
}

function tolerates(tolerations: Obj[], key: string): boolean {
  return tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
}

/**
 * Pod-only defaults: SetDefaults_Pod (requests default to limits; enableServiceLinks true), the
 * Priority admission plugin (priority 0, preemptionPolicy PreemptLowerPriority without a class) and
 * DefaultTolerationSeconds (tolerate not-ready / unreachable nodes for 300 s).
 */
export function defaultPod(pod: Obj): void {
  const spec = rec(pod.spec);
  if (!spec) return;
  defaultPodSpec(spec);
  for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
    const res = rec(c.resources);
    const limits = rec(res?.limits);
    if (!res || !limits) continue;
    const requests = rec(res.requests) ?? {};
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
    res.requests = requests;
  }
  if (spec.enableServiceLinks == null) spec.enableServiceLinks = true;
  if (spec.priority == null && !spec.priorityClassName) spec.priority = 0;
  if (spec.preemptionPolicy == null) spec.preemptionPolicy = 'PreemptLowerPriority';
  const tolerations = records(spec.tolerations);
  const added: Obj[] = [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerates(tolerations, key)) {
      added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_NODE_TOLERATION_SECONDS });
    }
  }
  if (added.length) spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...added];
}
