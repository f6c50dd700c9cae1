import { isApiError, type Lease, type Node, rfc3339Micro } from '@kjobs/api';
import type { ApiClient, EventRecorder } from '@kjobs/client';
import { nodeObject, type NodeFacts } from './node-object.js';

/**
 * Register (or refresh) the node's Node object with Ready=True: create it (a `Starting` event)
 * or update its taints when they changed, then its status.
 */
export async function registerNode(client: ApiClient, facts: NodeFacts, events: EventRecorder): Promise<void> {
  const now = new Date();
  let cur: Node | undefined;
  try {
    cur = await client.get<Node>('Node', '', facts.name);
  } catch (e) {
    if (!isApiError(e, 404)) throw e;
  }
  if (!cur) {
    try {
      await client.create<Node>('Node', nodeObject(facts, now));
      events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name: facts.name, uid: facts.name } }, 'Normal', 'Starting', 'Starting kubelet.');
      return;
    } catch (e) {
      if (!isApiError(e, 409)) throw e;
      cur = await client.get<Node>('Node', '', facts.name);
    }
  }
  const next = nodeObject(facts, now, cur);
  if (JSON.stringify(next.spec?.taints ?? []) !== JSON.stringify(cur.spec?.taints ?? [])) {
    cur = await client.update<Node>('Node', { ...cur, spec: next.spec });
  }
  await client.update<Node>('Node', { ...cur, status: next.status }, { subresource: 'status' });
}

/**
 * Renew the node's Lease in kube-node-lease (the heartbeat the node-lifecycle controller reads),
 * creating it when missing; a Node the controller marked not Ready is registered again.
 */
export async function renewNodeLease(client: ApiClient, name: string, register: () => Promise<void>): Promise<void> {
  const now = rfc3339Micro(new Date());
  try {
    const cur = await client.get<Lease>('Lease', 'kube-node-lease', name);
    await client.update<Lease>('Lease', { ...cur, spec: { ...cur.spec, holderIdentity: name, renewTime: now, leaseDurationSeconds: 40 } });
    const node = await client.get<Node>('Node', '', name).catch(() => undefined);
    if (node && node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') await register();
  } catch (e) {
    if (!isApiError(e, 404)) throw e;
    await client.create<Lease>('Lease', {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
    }).catch((e2) => {
      if (!isApiError(e2, 409)) throw e2;
    });
  }
}
