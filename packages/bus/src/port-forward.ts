/**
 * Port-forward through the node (`<p>.node.<node>.portforward`, a duplex stream): the api-server
 * asks the pod's agent to open a TCP connection to the pod's port from inside the pod network
 * (as the kubelet does), then the stream's input goes to the pod and its output comes back. A
 * connection that cannot be made is refused before any output, with a StreamError whose message
 * starts with the errno name (`ECONNREFUSED: …`).
 */
export interface PortForwardRequest {
  namespace: string;
  name: string;
  uid: string;
  port: number;
}
