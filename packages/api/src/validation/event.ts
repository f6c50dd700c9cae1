/**
 * core/v1 Event validation (Kubernetes 1.32 legacy `ValidateEventCreate`): a DNS subdomain name, an
 * involvedObject whose namespace agrees with the event's, and for new-style events (eventTime set)
 * reportingComponent, reportingInstance, action and a Normal/Warning type.
 */
import { invalid, required, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { dns1123SubdomainErrors, nameIsDNSSubdomain, qualifiedNameErrors } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const CLUSTER_SCOPED_KINDS = new Set(['Node', 'Namespace', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CustomResourceDefinition']);
const NAMESPACED_KINDS = new Set(['Pod', 'Job', 'CronJob', 'ReplicaSet', 'Deployment', 'Service', 'Lease', 'ConfigMap', 'Secret', 'Event']);
const REPORTING_INSTANCE_LIMIT = 128;

function validateEventFields(ev: Record<string, unknown>, out: FieldCause[]): void {
  const e = FieldReader.of(ev, '', out);
  const namespace = asRecord(ev.metadata)?.namespace;
  const eventNs = typeof namespace === 'string' ? namespace : '';
  const involved = e.sub('involvedObject');
  if (!involved || Object.keys(involved.obj).length === 0) out.push(required('involvedObject', ''));
  const obj = involved ?? FieldReader.of({}, 'involvedObject', out);
  const objNs = obj.str('namespace') ?? '';
  const kind = obj.str('kind') ?? '';
  if (ev.eventTime == null) {
    if (objNs ? eventNs !== objNs : eventNs !== '' && eventNs !== 'default') {
      out.push(invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
    }
  } else {
    if (!objNs && eventNs !== 'default' && eventNs !== 'kube-system') out.push(invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
    const component = e.str('reportingComponent') ?? '';
    if (!component) out.push(required('reportingComponent', ''));
    for (const m of qualifiedNameErrors(component)) out.push(invalid('reportingComponent', component, m));
    const instance = e.str('reportingInstance') ?? '';
    if (!instance) out.push(required('reportingInstance', ''));
    if (instance.length > REPORTING_INSTANCE_LIMIT) out.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    if (!(e.str('action') ?? '')) out.push(required('action', ''));
    const type = e.str('type') ?? '';
    if (type !== 'Normal' && type !== 'Warning') out.push(invalid('type', '', `has invalid value: ${type}`));
  }
  if (NAMESPACED_KINDS.has(kind) && !objNs) out.push(required('involvedObject.namespace', `required for kind ${kind}`));
  if (CLUSTER_SCOPED_KINDS.has(kind) && objNs) out.push(invalid('involvedObject.namespace', objNs, `not allowed for kind ${kind}`));
  for (const m of dns1123SubdomainErrors(eventNs)) out.push(invalid('namespace', eventNs, m));
  e.int('count');
}

/** A new Event. */
export function validateEvent(ev: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(ev.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateEventFields(ev, out);
  return out;
}

/** An updated Event (the recorder bumps count and lastTimestamp). */
export function validateEventUpdate(ev: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(ev.metadata, old.metadata);
  validateEventFields(ev, out);
  return out;
}
