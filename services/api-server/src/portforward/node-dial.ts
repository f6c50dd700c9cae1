import net from 'node:net';
import { portForwardSocket } from '@kjobs/bus';
import type { NodeBridge } from '../node-bridge.js';
import type { Dial, ForwardTarget } from './port-forward.js';

/** Loopback addresses (the process runtime's pods) are dialed from here; anything else through the pod's node. */
const isLoopback = (ip: string) => ip.startsWith('127.');

/**
 * How the api-server reaches a pod's port: a pod on a loopback address (its node shares this
 * machine's network) directly; a pod on the pod network — an address that lives only in network
 * namespaces on its node — through its node's agent, which dials from inside
 * (`<p>.node.<node>.portforward`, a NATS duplex stream), as kube-apiserver goes through the kubelet.
 */
export function podDialer(nodes: NodeBridge): Dial {
  // Never a direct dial of a non-loopback address: it would leave this machine's loopback (the host has no route into the pod network).
  return (ip, port, target) => (isLoopback(ip) ? net.connect({ host: ip, port }) : throughNode(nodes, ip, port, target ?? { name: '', uid: '', ip }));
}

/** A socket-like Duplex over the node's stream: 'connect' once the agent connected, 'error' with the errno code when it could not. */
function throughNode(nodes: NodeBridge, ip: string, port: number, target: ForwardTarget): net.Socket {
  const req = { namespace: target.namespace ?? '', name: target.name, uid: target.uid, port };
  return portForwardSocket((push, signal) => nodes.portForward(target.node ?? '', req, push, signal), { address: ip }) as unknown as net.Socket;
}
