/**
 * Per-container rules of core validation (`validateContainerCommon`): name, image, ports, env,
 * pull policy, termination message policy and resources.
 */
import { duplicate, index, invalid, key, notSupported, required, type FieldCause } from './field-errors.js';
import { FieldReader } from './json-fields.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, portNameErrors, portNumErrors, qualifiedNameErrors } from './names.js';
import { canonicalQuantity, compareQuantities, parseQuantityExact, quantityError } from './quantity.js';

/** Supported port protocols, sorted as Kubernetes lists them. */
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** Container ports: valid unique names, containerPort and hostPort in 1..65535, a protocol. */
export function validateContainerPorts(ports: unknown[] | undefined, path: string, out: FieldCause[]): void {
  const names = new Set<string>();
  (ports ?? []).forEach((raw, i) => {
    const p = FieldReader.of(raw, index(path, i), out);
    const name = p.str('name') ?? '';
    if (name) {
      const msgs = portNameErrors(name);
      if (msgs.length) for (const m of msgs) out.push(invalid(p.at('name'), name, m));
      else if (names.has(name)) out.push(duplicate(p.at('name'), name));
      else names.add(name);
    }
    const containerPort = p.int('containerPort') ?? 0;
    if (containerPort === 0) out.push(required(p.at('containerPort'), ''));
    else for (const m of portNumErrors(containerPort)) out.push(invalid(p.at('containerPort'), containerPort, m));
    const hostPort = p.int('hostPort') ?? 0;
    if (hostPort !== 0) for (const m of portNumErrors(hostPort)) out.push(invalid(p.at('hostPort'), hostPort, m));
    const protocol = p.str('protocol') ?? '';
    if (!protocol) out.push(required(p.at('protocol'), ''));
    else if (!PORT_PROTOCOLS.includes(protocol)) out.push(notSupported(p.at('protocol'), protocol, PORT_PROTOCOLS));
  });
}

/** Env vars: a name, and at most one of value / valueFrom (with exactly one source). */
export function validateEnv(env: unknown[] | undefined, path: string, out: FieldCause[]): void {
  (env ?? []).forEach((raw, i) => {
    const e = FieldReader.of(raw, index(path, i), out);
    const name = e.str('name') ?? '';
    if (!name) out.push(required(e.at('name'), ''));
    else for (const m of envVarNameErrors(name)) out.push(invalid(e.at('name'), name, m));
    const from = e.opt('valueFrom');
    if (!from) return;
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => from.has(s));
    if (sources.length === 0) {
      out.push(invalid(from.path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (sources.length > 1) {
      out.push(invalid(from.path, '', 'may not have more than one field specified at a time'));
    }
    if ((e.str('value') ?? '') !== '' && sources.length > 0) {
      out.push(invalid(from.path, '', 'may not be specified when `value` is not empty'));
    }
    const fieldRef = from.opt('fieldRef');
    if (fieldRef) {
      if (!(fieldRef.str('fieldPath') ?? '')) out.push(required(fieldRef.at('fieldPath'), ''));
      if (!(fieldRef.str('apiVersion') ?? '')) out.push(required(fieldRef.at('apiVersion'), ''));
    }
  });
}

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas',
  'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

/** A resource without a prefix, or with a `kubernetes.io/` one. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** A fully qualified, non-native resource such as `example.com/gpu`. */
function isExtendedResource(name: string): boolean {
  return !isNativeResource(name) && !name.startsWith('requests.') && qualifiedNameErrors(`requests.${name}`).length === 0;
}

/** Requests may be below limits for native resources other than hugepages. */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePages(name);
}

function validateContainerResourceName(name: string, path: string, out: FieldCause[]): void {
  const msgs = qualifiedNameErrors(name);
  for (const m of msgs) out.push(invalid(path, name, m));
  if (!name.includes('/')) {
    if (!msgs.length && !STANDARD_RESOURCES.has(name) && !isHugePages(name)) {
      out.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
    }
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      out.push(invalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    out.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
}

function validateQuantities(list: Record<string, string> | undefined, path: string, out: FieldCause[]): Set<string> {
  const good = new Set<string>();
  for (const name of Object.keys(list ?? {}).sort()) {
    const field = key(path, name);
    validateContainerResourceName(name, field, out);
    const q = list![name]!;
    const err = quantityError(q);
    if (err) {
      out.push(invalid(field, q, err));
      continue;
    }
    const parsed = parseQuantityExact(q);
    if (parsed.mantissa < 0n) out.push(invalid(field, canonicalQuantity(q), 'must be greater than or equal to 0'));
    const fractional = parsed.scale < 0 && parsed.mantissa % 10n ** BigInt(-parsed.scale) !== 0n;
    if (isExtendedResource(name) && fractional) out.push(invalid(field, canonicalQuantity(q), 'must be an integer'));
    good.add(name);
  }
  return good;
}

/** Resource requests and limits: known names, valid non-negative quantities, request ≤ limit. */
export function validateResources(res: FieldReader, out: FieldCause[]): void {
  const limits = res.stringMap('limits');
  const requests = res.stringMap('requests');
  const limPath = res.at('limits');
  const reqPath = res.at('requests');
  const goodLimits = validateQuantities(limits, limPath, out);
  const goodRequests = validateQuantities(requests, reqPath, out);
  for (const name of [...goodRequests].sort()) {
    const q = requests![name]!;
    if (goodLimits.has(name)) {
      const lim = limits![name]!;
      const cmp = compareQuantities(q, lim);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        out.push(invalid(reqPath, canonicalQuantity(q), `must be equal to ${name} limit of ${canonicalQuantity(lim)}`));
      } else if (cmp > 0) {
        out.push(invalid(reqPath, canonicalQuantity(q), `must be less than or equal to ${name} limit of ${canonicalQuantity(lim)}`));
      }
    } else if (!isOvercommitAllowed(name) && !(limits && name in limits)) {
      out.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
}

/** The rules every container kind shares; `c` reads one container at its path. */
export function validateContainerCommon(c: FieldReader, out: FieldCause[]): void {
  const name = c.str('name') ?? '';
  if (!name) out.push(required(c.at('name'), ''));
  else for (const m of dns1123LabelErrors(name)) out.push(invalid(c.at('name'), name, m));
  if (!(c.str('image') ?? '')) out.push(required(c.at('image'), ''));
  const tmp = c.str('terminationMessagePolicy') ?? '';
  if (!tmp) out.push(required(c.at('terminationMessagePolicy'), "must be 'File' or 'FallbackToLogsOnError'"));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) out.push(notSupported(c.at('terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  validateContainerPorts(c.list('ports'), c.at('ports'), out);
  validateEnv(c.list('env'), c.at('env'), out);
  c.stringList('command');
  c.stringList('args');
  const pull = c.str('imagePullPolicy') ?? '';
  if (!pull) out.push(required(c.at('imagePullPolicy'), ''));
  else if (!PULL_POLICIES.includes(pull)) out.push(notSupported(c.at('imagePullPolicy'), pull, PULL_POLICIES));
  const res = c.sub('resources');
  if (res) validateResources(res, out);
}

/** DNS-1123 subdomain check at a path (schedulerName, nodeName). */
export function validateSubdomainField(value: string, path: string, out: FieldCause[]): void {
  for (const m of dns1123SubdomainErrors(value)) out.push(invalid(path, value, m));
}

/** DNS-1123 label check at a path (hostname, subdomain). */
export function validateLabelField(value: string, path: string, out: FieldCause[]): void {
  for (const m of dns1123LabelErrors(value)) out.push(invalid(path, value, m));
}
