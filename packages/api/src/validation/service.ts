/**
 * core/v1 Service validation (Kubernetes 1.32 `ValidateService` / `ValidateServiceUpdate`) for the
 * fields kjobs serves: DNS-1035 name, ports, selector, type, session affinity, cluster IPs.
 */
import { duplicate, index, invalid, notSupported, required, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { PORT_PROTOCOLS } from './container.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, nameIsDNS1035Label, portNumErrors } from './names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePortNumOrName } from './probes.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIP(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

function validatePorts(s: FieldReader, out: FieldCause[]): void {
  const ports = s.list('ports') ?? [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = FieldReader.of(raw, index(s.at('ports'), i), out);
    const name = p.str('name') ?? '';
    if (ports.length > 1 && !name) out.push(required(p.at('name'), ''));
    else if (name) {
      for (const m of dns1123LabelErrors(name)) out.push(invalid(p.at('name'), name, m));
      if (names.has(name)) out.push(duplicate(p.at('name'), name));
      else names.add(name);
    }
    const port = p.int('port') ?? 0;
    for (const m of portNumErrors(port)) out.push(invalid(p.at('port'), port, m));
    const protocol = p.str('protocol') ?? '';
    if (!protocol) out.push(required(p.at('protocol'), ''));
    else if (!PORT_PROTOCOLS.includes(protocol)) out.push(notSupported(p.at('protocol'), protocol, PORT_PROTOCOLS));
    validatePortNumOrName(p.intOrString('targetPort'), p.at('targetPort'), out);
    const nodePort = p.int('nodePort');
    if (nodePort !== undefined && nodePort !== 0) for (const m of portNumErrors(nodePort)) out.push(invalid(p.at('nodePort'), nodePort, m));
  });
}

/** A new Service. */
export function validateService(svc: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label });
  const s = FieldReader.of(svc.spec, 'spec', out);
  const type = s.str('type') ?? '';
  const clusterIP = s.str('clusterIP') ?? '';
  const headless = clusterIP === 'None';
  if ((s.list('ports') ?? []).length === 0 && !headless && type !== 'ExternalName') out.push(required(s.at('ports'), ''));
  if (type === 'ExternalName') {
    const ext = s.str('externalName') ?? '';
    if (!ext) out.push(required(s.at('externalName'), ''));
    else for (const m of dns1123SubdomainErrors(ext.replace(/\.$/, ''))) out.push(invalid(s.at('externalName'), ext, m));
  }
  validatePorts(s, out);
  out.push(...validateLabels(s.stringMap('selector'), s.at('selector')));
  const affinity = s.str('sessionAffinity') ?? '';
  if (!affinity) out.push(required(s.at('sessionAffinity'), ''));
  else if (!SESSION_AFFINITIES.includes(affinity)) out.push(notSupported(s.at('sessionAffinity'), affinity, SESSION_AFFINITIES));
  if (clusterIP && !headless && !isIP(clusterIP)) {
    out.push(invalid(s.at('clusterIP'), clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (!type) out.push(required(s.at('type'), ''));
  else if (!SERVICE_TYPES.includes(type)) out.push(notSupported(s.at('type'), type, SERVICE_TYPES));
  const itp = s.str('internalTrafficPolicy');
  if (itp !== undefined && !TRAFFIC_POLICIES.includes(itp)) out.push(notSupported(s.at('internalTrafficPolicy'), itp, TRAFFIC_POLICIES));
  return out;
}

function clusterIPs(spec: Record<string, unknown>): string[] {
  if (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length) return spec.clusterIPs.map(String);
  return typeof spec.clusterIP === 'string' && spec.clusterIP ? [spec.clusterIP] : [];
}

/** An updated Service: valid as new, and an allocated cluster IP never changes. */
export function validateServiceUpdate(svc: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateService(svc);
  out.push(...validateObjectMetaUpdate(svc.metadata, old.metadata));
  const spec = asRecord(svc.spec) ?? {};
  const oldSpec = asRecord(old.spec) ?? {};
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return out;
  const now = clusterIPs(spec);
  const before = clusterIPs(oldSpec);
  if (now.length === before.length) {
    before.forEach((ip, i) => {
      if (ip !== now[i]) out.push(invalid(index('spec.clusterIPs', i), now, 'may not change once set'));
    });
  } else if (now.length > 0 && before.length > 0 && now[0] !== before[0]) {
    out.push(invalid(index('spec.clusterIPs', 0), now, 'may not change once set'));
  }
  return out;
}
