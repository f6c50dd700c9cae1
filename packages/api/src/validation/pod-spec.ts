/**
 * PodSpec and PodTemplateSpec validation (`ValidatePodSpec`, `ValidatePodTemplateSpec` of core
 * validation, Kubernetes 1.32), for the fields kjobs serves.
 */
import { duplicate, forbidden, index, invalid, notSupported, required, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { labelValueErrors, qualifiedNameErrors, inclusiveRangeError } from './names.js';
import { validateAnnotations, validateLabels } from './object-meta.js';
import { validateContainerCommon, validateLabelField, validateSubdomainField } from './container.js';
import { validateContainerProbes } from './probes.js';
import { validateVolumeMounts, validateVolumes } from './volumes.js';

/** Pod restart policies in Kubernetes' order. */
export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

function validateContainers(list: unknown[] | undefined, path: string, names: Set<string>, out: FieldCause[]): void {
  if (!list || list.length === 0) {
    out.push(required(path, ''));
    return;
  }
  list.forEach((raw, i) => {
    const c = FieldReader.of(raw, index(path, i), out);
    validateContainerCommon(c, out);
    const name = c.str('name') ?? '';
    if (names.has(name)) out.push(duplicate(c.at('name'), name));
    else names.add(name);
    validateContainerProbes(c, out);
    if (c.has('restartPolicy')) out.push(forbidden(c.at('restartPolicy'), 'may not be set for non-init containers'));
  });
}

function validateInitContainers(list: unknown[] | undefined, path: string, names: Set<string>, out: FieldCause[]): void {
  (list ?? []).forEach((raw, i) => {
    const c = FieldReader.of(raw, index(path, i), out);
    validateContainerCommon(c, out);
    const name = c.str('name') ?? '';
    if (names.has(name)) out.push(duplicate(c.at('name'), name));
    else names.add(name);
    const restartPolicy = c.str('restartPolicy');
    if (restartPolicy !== undefined && restartPolicy !== 'Always') out.push(notSupported(c.at('restartPolicy'), restartPolicy, ['Always']));
    if (restartPolicy === 'Always') {
      validateContainerProbes(c, out);
      return;
    }
    for (const p of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c.has(p)) out.push(forbidden(c.at(p), 'may not be set for init containers without restartPolicy=Always'));
    }
  });
}

function validateTolerations(list: unknown[] | undefined, path: string, out: FieldCause[]): void {
  (list ?? []).forEach((raw, i) => {
    const t = FieldReader.of(raw, index(path, i), out);
    const k = t.str('key') ?? '';
    const operator = t.str('operator') ?? '';
    const value = t.str('value') ?? '';
    const effect = t.str('effect') ?? '';
    if (k) for (const m of qualifiedNameErrors(k)) out.push(invalid(t.at('key'), k, m));
    if (!k && operator !== 'Exists') {
      out.push(invalid(t.at('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.has('tolerationSeconds') && effect !== 'NoExecute') {
      out.push(invalid(t.at('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      for (const m of labelValueErrors(value)) out.push(invalid(t.at('operator'), value, m));
    } else if (operator === 'Exists') {
      if (value) out.push(invalid(t.at('operator'), t.obj, "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(notSupported(t.at('operator'), operator, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) out.push(notSupported(t.at('effect'), effect, TAINT_EFFECTS));
    t.int('tolerationSeconds');
  });
}

/** ValidatePodSpec: containers, restart and DNS policy, node selection, deadlines, names. */
export function validatePodSpec(raw: unknown, path: string, out: FieldCause[]): void {
  const s = FieldReader.of(raw, path, out);
  const names = new Set<string>();
  const volumes = validateVolumes(s, out);
  validateContainers(s.list('containers'), s.at('containers'), names, out);
  validateInitContainers(s.list('initContainers'), s.at('initContainers'), names, out);
  validateVolumeMounts(s, volumes, out);
  const restartPolicy = s.str('restartPolicy') ?? '';
  if (!restartPolicy) out.push(required(s.at('restartPolicy'), ''));
  else if (!RESTART_POLICIES.includes(restartPolicy)) out.push(notSupported(s.at('restartPolicy'), restartPolicy, RESTART_POLICIES));
  const dnsPolicy = s.str('dnsPolicy') ?? '';
  if (!dnsPolicy) out.push(required(s.at('dnsPolicy'), ''));
  else if (!DNS_POLICIES.includes(dnsPolicy)) out.push(notSupported(s.at('dnsPolicy'), dnsPolicy, DNS_POLICIES));
  out.push(...validateLabels(s.stringMap('nodeSelector'), s.at('nodeSelector')));
  const serviceAccountName = s.str('serviceAccountName') ?? '';
  if (serviceAccountName) validateSubdomainField(serviceAccountName, s.at('serviceAccountName'), out);
  const nodeName = s.str('nodeName') ?? '';
  if (nodeName) validateSubdomainField(nodeName, s.at('nodeName'), out);
  const ads = s.int('activeDeadlineSeconds');
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) out.push(invalid(s.at('activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  const hostname = s.str('hostname') ?? '';
  if (hostname) validateLabelField(hostname, s.at('hostname'), out);
  const subdomain = s.str('subdomain') ?? '';
  if (subdomain) validateLabelField(subdomain, s.at('subdomain'), out);
  validateTolerations(s.list('tolerations'), s.at('tolerations'), out);
  const schedulerName = s.str('schedulerName') ?? '';
  if (schedulerName) validateSubdomainField(schedulerName, s.at('schedulerName'), out);
  const grace = s.int('terminationGracePeriodSeconds');
  if (grace !== undefined) out.push(...validateNonnegative(grace, s.at('terminationGracePeriodSeconds')));
  s.int('priority');
}

/**
 * ValidatePodTemplateSpec: template labels and annotations (reported at `<path>.labels`, as
 * Kubernetes does) and the pod spec; ephemeral containers are not allowed in templates. A missing
 * template is validated as an empty one (it is a plain struct in Kubernetes, never "Required").
 */
export function validatePodTemplateSpec(raw: unknown, path: string, out: FieldCause[]): void {
  const t = FieldReader.of(raw, path, out);
  const meta = t.sub('metadata');
  out.push(...validateLabels(meta?.stringMap('labels'), t.at('labels')));
  out.push(...validateAnnotations(meta?.stringMap('annotations'), t.at('annotations')));
  validatePodSpec(t.obj.spec, t.at('spec'), out);
  const ephemeral = asRecord(t.obj.spec)?.ephemeralContainers;
  if (Array.isArray(ephemeral) && ephemeral.length > 0) {
    out.push(forbidden(`${t.at('spec')}.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
}
