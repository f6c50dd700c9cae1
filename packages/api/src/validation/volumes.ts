/**
 * Pod volumes and volume mounts (Kubernetes 1.32 `ValidateVolumes`, `validateVolumeSource` for
 * the sources kjobs sets up, `ValidateVolumeMounts`): names, exactly one source, the required
 * names of configMap/secret/hostPath sources, file modes, item paths, and each mount naming a
 * volume at a unique path with a relative subPath.
 */
import { child, duplicate, formatBadValue, forbidden, index, invalid, notSupported, required, type FieldCause } from './field-errors.js';
import { FieldReader } from './json-fields.js';
import { dns1123LabelErrors } from './names.js';

/** Every volume source of core/v1 VolumeSource, in Kubernetes' order. */
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

function notFound(field: string, value: unknown): FieldCause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${formatBadValue(value)}` };
}

/** validateLocalDescendingPath: relative, no `..` element, not starting with `..`. */
export function localPathErrors(p: string, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (p.startsWith('/')) out.push(invalid(field, p, 'must be a relative path'));
  if (p.split('/').includes('..')) out.push(invalid(field, p, "must not contain '..'"));
  else if (p.startsWith('..')) out.push(invalid(field, p, "must not start with '..'"));
  return out;
}

function validateMode(r: FieldReader, name: string, out: FieldCause[]): void {
  const mode = r.int(name);
  if (mode !== undefined && (mode < 0 || mode > 0o777)) out.push(invalid(r.at(name), mode, FILE_MODE_MSG));
}

function validateItems(r: FieldReader, out: FieldCause[]): void {
  (r.list('items') ?? []).forEach((raw, i) => {
    const it = FieldReader.of(raw, index(r.at('items'), i), out);
    if (!(it.str('key') ?? '')) out.push(required(it.at('key')));
    const p = it.str('path') ?? '';
    if (!p) out.push(required(it.at('path')));
    else out.push(...localPathErrors(p, it.at('path')));
    validateMode(it, 'mode', out);
  });
}

function validateSource(kind: string, r: FieldReader, out: FieldCause[]): void {
  switch (kind) {
    case 'configMap':
      if (!(r.str('name') ?? '')) out.push(required(r.at('name')));
      validateMode(r, 'defaultMode', out);
      validateItems(r, out);
      return;
    case 'secret':
      if (!(r.str('secretName') ?? '')) out.push(required(r.at('secretName')));
      validateMode(r, 'defaultMode', out);
      validateItems(r, out);
      return;
    case 'hostPath': {
      if (!(r.str('path') ?? '')) out.push(required(r.at('path')));
      const type = r.str('type');
      if (type !== undefined && !HOST_PATH_TYPES.includes(type)) out.push(notSupported(r.at('type'), type, HOST_PATH_TYPES.filter(Boolean)));
      return;
    }
    case 'downwardAPI':
    case 'projected':
      validateMode(r, 'defaultMode', out);
      return;
    default:
  }
}

/** The pod's volumes; returns their names (for the mounts). */
export function validateVolumes(spec: FieldReader, out: FieldCause[]): Set<string> {
  const names = new Set<string>();
  const path = spec.at('volumes');
  (spec.list('volumes') ?? []).forEach((raw, i) => {
    const v = FieldReader.of(raw, index(path, i), out);
    const name = v.str('name') ?? '';
    if (!name) out.push(required(v.at('name')));
    else for (const m of dns1123LabelErrors(name)) out.push(invalid(v.at('name'), name, m));
    if (name && names.has(name)) out.push(duplicate(v.at('name'), name));
    else if (name) names.add(name);
    const sources = VOLUME_SOURCES.filter((k) => v.has(k));
    if (sources.length === 0) out.push(required(v.path, 'must specify a volume type'));
    for (const extra of sources.slice(1)) out.push(forbidden(v.at(extra), 'may not specify more than 1 volume type'));
    if (sources[0]) validateSource(sources[0], FieldReader.of(v.obj[sources[0]], v.at(sources[0]), out), out);
  });
  return names;
}

/** Each container's volumeMounts: a known volume, a unique mountPath, a relative subPath. */
export function validateVolumeMounts(spec: FieldReader, volumes: Set<string>, out: FieldCause[]): void {
  for (const list of ['containers', 'initContainers']) {
    (spec.list(list) ?? []).forEach((raw, i) => {
      const c = FieldReader.of(raw, index(spec.at(list), i), out);
      const mountPaths = new Set<string>();
      const mountsPath = c.at('volumeMounts');
      (c.list('volumeMounts') ?? []).forEach((m, j) => {
        const r = FieldReader.of(m, index(mountsPath, j), out);
        const name = r.str('name') ?? '';
        if (!name) out.push(required(r.at('name')));
        if (!volumes.has(name)) out.push(notFound(r.at('name'), name));
        const mountPath = r.str('mountPath') ?? '';
        if (!mountPath) out.push(required(r.at('mountPath')));
        if (mountPaths.has(mountPath)) out.push(invalid(r.at('mountPath'), mountPath, 'must be unique'));
        mountPaths.add(mountPath);
        const subPath = r.str('subPath') ?? '';
        // Kubernetes reports subPath errors at `volumeMounts.subPath` (no index), as here.
        if (subPath) out.push(...localPathErrors(subPath, child(mountsPath, 'subPath')));
      });
    });
  }
}
