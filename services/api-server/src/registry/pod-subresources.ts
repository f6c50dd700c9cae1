import { conflict, invalid, isApiError, mustResourceForKind, type ApiError, type Pod, type Status } from '@kjobs/api';
import type { ApiService, DeleteOpts } from '../api-service.js';
import { clone, rfc3339 } from '../object-meta.js';

const PODS = mustResourceForKind('Pod');
const CREATED: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

/**
 * POST pods/binding (the pod registry's BindingREST): set spec.nodeName once. A second binding of a
 * bound pod is 409, so two schedulers can never place one pod twice. A dry run only finds the pod.
 */
export async function bindPod(api: ApiService, namespace: string, name: string, body: unknown, opts: { dryRun?: boolean } = {}): Promise<Status> {
  if (opts.dryRun) {
    await api.get(PODS, namespace, name);
    return { ...CREATED };
  }
  const b = body as { target?: { kind?: string; name?: string }; metadata?: { name?: string } };
  const node = b?.target?.name;
  if (!node) throw invalid({ group: '', kind: 'Binding' }, name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  for (;;) {
    const pod = (await api.get(PODS, namespace, name)) as Pod;
    if (pod.spec.nodeName) throw conflict(PODS, name, pod, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    if (pod.metadata.deletionTimestamp) throw conflict(PODS, name, pod, `pod ${name} is being deleted, cannot be assigned to a host`);
    const next = clone(pod);
    next.spec.nodeName = node;
    const conds = (next.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conds.unshift({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(api.now()) });
    next.status = { ...next.status, conditions: conds };
    try {
      await api.store.update(PODS, next, { expectedRv: pod.metadata.resourceVersion });
      return { ...CREATED };
    } catch (e) {
      if (isApiError(e, 409) && (e as ApiError).reason === 'Conflict') continue;
      throw e;
    }
  }
}

/**
 * POST pods/eviction, as the eviction REST of Kubernetes 1.26+: a pod that has not finished first
 * gets the DisruptionTarget condition (reason EvictionByEvictionAPI) in its status, so a Job's
 * podFailurePolicy can tell an eviction from a failure; then the pod is deleted gracefully.
 * A dry run (`deleteOptions.dryRun: ["All"]` or `?dryRun=All`) only checks.
 */
export async function evictPod(api: ApiService, namespace: string, name: string, body: unknown, opts: { dryRun?: boolean } = {}): Promise<Status> {
  const pod = (await api.get(PODS, namespace, name)) as Pod;
  const deleteOptions = (body as { deleteOptions?: DeleteOpts & { dryRun?: unknown } })?.deleteOptions ?? {};
  const dryRun = opts.dryRun || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes('All'));
  if (dryRun) return { ...CREATED };
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') {
    const conds = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conds.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339(api.now()) });
    await api.patch(PODS, namespace, name, 'application/merge-patch+json', { status: { conditions: conds } }, 'status');
  }
  const { dryRun: _d, ...del } = deleteOptions;
  void _d;
  await api.delete(PODS, namespace, name, del);
  return { ...CREATED };
}
