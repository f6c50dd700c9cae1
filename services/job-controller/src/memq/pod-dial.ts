/**
 * How the job-controller opens a TCP connection to a pod's port (to ask the queue pod's MemQ):
 * a pod on a loopback address (the process runtime's pods share this machine's network) is
 * dialled from here; a pod on the pod network — an address that lives only in network namespaces
 * on its node — through its node's agent (`<p>.node.<node>.portforward`, the NATS duplex stream
 * kubectl port-forward uses), which dials from inside, as kube-apiserver goes through the kubelet.
 * Never a direct dial of a pod-network address: the host has no route into that network.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type NatsConnection, type Subjects, portForwardSocket, requestDuplex } from '@kjobs/bus';
import type { Pod } from '@kjobs/api';

/** Opens a connection to `port` of `pod`; the stream emits 'connect', or 'error' with an errno code. */
export type PodDial = (pod: Pod, port: number) => Duplex;

/** A dialer that goes through the pod's node over NATS for pods off the loopback network. */
export function podDialer(nc: NatsConnection, subjects: Subjects): PodDial {
  return (pod, port) => {
    const ip = pod.status?.podIP ?? '';
    if (ip.startsWith('127.')) return net.connect({ host: ip, port });
    return throughNode(nc, subjects, pod, port);
  };
}

/** A socket-like Duplex over the node's port-forward stream. */
function throughNode(nc: NatsConnection, subjects: Subjects, pod: Pod, port: number): Duplex {
  const req = { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', port };
  return portForwardSocket((push, signal) => requestDuplex(nc, subjects.node(pod.spec.nodeName ?? '', 'portforward'), req, push, { signal, firstByteMs: 10_000 }));
}
