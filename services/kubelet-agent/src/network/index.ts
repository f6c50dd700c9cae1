/** The pod network of a node: namespaces, CNI, the fabric joining a machine's nodes, dialing into them. */
export { NodeNetwork, type NodeNetworkOptions } from './node-network.js';
export { NsSocket, nsDialBinary, type NetDial } from './ns-dial.js';
export { networkNames, podNsName, gatewayOf, type NetworkNames } from './names.js';
export { podNetworkConfList, loopbackConfList, CniError } from './cni.js';
export { podNetworkUnavailable } from './availability.js';
export { DeferredPodNetwork } from './deferred-network.js';
export { podHostsFile, subdomainPeers, updateHostsFile } from './pod-hosts.js';
