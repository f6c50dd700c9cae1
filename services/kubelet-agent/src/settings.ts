import { isIPv4 } from 'node:net';
import { quantityError } from '@kjobs/api';
import { bool, cidr, commonSettings as c, custom, defineSettings, duration, int, oneOf, path, secret, text } from '@kjobs/observe';

/** A Kubernetes quantity (`4`, `500m`, `8Gi`). */
const quantity = (t: string): string => {
  if (quantityError(t)) throw new Error('is not a quantity (e.g. 4, 500m, 8Gi)');
  return t;
};

/** `k=v,k2=v2` into labels. */
function parseLabels(t: string): Record<string, string> {
  const pairs = t.split(',').map((kv) => kv.trim()).filter(Boolean);
  if (pairs.some((kv) => !/^[^=\s]+=[^=\s]*$/.test(kv))) throw new Error('is not a list of key=value (e.g. zone=a,disk=ssd)');
  return Object.fromEntries(pairs.map((kv) => kv.split('=') as [string, string]));
}

/** An IPv4 address (the Node's InternalIP). */
const ipv4 = (t: string): string => {
  if (!isIPv4(t)) throw new Error('is not an IPv4 address (e.g. 192.168.1.10)');
  return t;
};

/** A binary to run, or `off`. */
const binaryOrOff = (t: string): string | false => (t === 'off' ? false : t);

/** The kubelet-agent's settings (docs/configuration.md is made from them). */
export const kubeletAgentSettings = defineSettings('kubelet-agent', 'a node: registers its Node, renews its Lease and runs the pods bound to it as processes or runc containers. SIGTERM stops every pod (unless KJOBS_KEEP_PODS_ON_STOP).', {
  nodeName: text({ env: 'NODE_NAME', defaultText: 'the host name', help: 'The Node\'s name (lower-cased).' }),
  home: c.home,
  agentDir: path({ env: 'KJOBS_AGENT_DIR', defaultText: '$KJOBS_HOME/nodes/<node>', help: 'The node\'s pods, logs, images and state (survives restarts).' }),
  runtime: oneOf(['oci', 'process', 'auto'], { env: 'KJOBS_RUNTIME', default: 'auto', help: 'Pods as runc containers from their images (oci), as host programs (process), or oci where it can run — root, runc, writable cgroups — else process (auto).' }),
  podNetwork: oneOf(['on', 'off', 'auto'], { env: 'KJOBS_POD_NETWORK', default: 'auto', help: 'Each pod its own network namespace and address from the Node\'s podCIDR (auto: for both runtimes wherever the machine allows it — root, ip, /usr/lib/cni — else loopback addresses).' }),
  clusterCIDR: c.clusterCIDR,
  podEgress: oneOf(['off', 'proxy'], { env: 'KJOBS_POD_EGRESS', default: 'off', help: 'off: pods reach only the pod network; proxy: an HTTP proxy at <gateway>:3128 that the pods\' HTTP_PROXY/HTTPS_PROXY name, leaving from the host\'s network (nothing of the host is changed).' }),
  podEgressLoopback: oneOf(['deny', 'allow'], { env: 'KJOBS_POD_EGRESS_LOOPBACK', default: 'deny', help: 'Whether the egress proxy may reach the node\'s 127.0.0.0/8.' }),
  podIPRange: cidr({ env: 'KJOBS_POD_IP_RANGE', default: '127.10.0.0/16', help: 'Loopback pod addresses without the pod network.' }),
  nodeCpu: custom({ env: 'KJOBS_NODE_CPU', type: 'quantity', parse: quantity, defaultText: 'this machine\'s cores', help: 'The Node\'s cpu capacity.' }),
  nodeMemory: custom({ env: 'KJOBS_NODE_MEMORY', type: 'quantity', parse: quantity, defaultText: 'this machine\'s memory', help: 'The Node\'s memory capacity.' }),
  nodePods: int({ env: 'KJOBS_NODE_PODS', min: 1, default: 110, help: 'The Node\'s pod capacity.' }),
  nodeLabels: custom({ env: 'KJOBS_NODE_LABELS', type: 'key=value, comma-separated', parse: parseLabels, help: 'Extra labels on the Node.' }),
  catalogFile: path({ env: 'KJOBS_CATALOG_FILE', mustExist: 'file', help: 'Extra image catalog (YAML or JSON) of the process runtime.' }),
  registriesFile: path({ env: 'KJOBS_REGISTRIES_FILE', help: 'Registry mirrors for image pulls (k3s registries.yaml; a missing file: none).' }),
  podPidsLimit: int({ env: 'KJOBS_POD_PIDS_LIMIT', min: 0, defaultText: '4096', help: 'Processes per pod under the oci runtime; 0: no limit.' }),
  pullBackoffInitial: duration({ env: 'KJOBS_IMAGE_PULL_BACKOFF_INITIAL_MS', unit: 'ms', default: 10_000, help: 'First wait after a failed image pull (doubles each time).' }),
  pullBackoffMax: duration({ env: 'KJOBS_IMAGE_PULL_BACKOFF_MAX_MS', unit: 'ms', default: 300_000, help: 'Longest wait between image pulls.' }),
  crashLoopInitial: duration({ env: 'KJOBS_CRASHLOOP_INITIAL_MS', unit: 'ms', default: 10_000, help: 'First restart delay of a crash-looping container (doubles each time).' }),
  crashLoopMax: duration({ env: 'KJOBS_CRASHLOOP_MAX_MS', unit: 'ms', default: 300_000, help: 'Longest restart delay of a crash-looping container.' }),
  heartbeat: duration({ env: 'KJOBS_HEARTBEAT_SECONDS', unit: 's', default: 10, help: 'Lease renewal period.' }),
  statusHold: duration({ env: 'KJOBS_STATUS_HOLD_MS', unit: 'ms', default: 25, help: 'How long a pod\'s first Running status waits for the pod\'s end before it is written (0: at once).' }),
  configRefresh: duration({ env: 'KJOBS_CONFIG_REFRESH_MS', unit: 'ms', default: 10_000, help: 'How long a pod\'s ConfigMaps and Secrets are reused before they are read again.' }),
  allowHostPath: bool({ env: 'KJOBS_ALLOW_HOST_PATH', default: true, help: 'Allow hostPath volumes (false: such pods fail with FailedMount).' }),
  kuardKeyBits: int({ env: 'KJOBS_KUARD_KEY_BITS', min: 512, max: 16384, defaultText: '4096', help: 'RSA key size of the built-in kuard (lower on slow machines).' }),
  shutdownGrace: duration({ env: 'KJOBS_SHUTDOWN_GRACE_SECONDS', unit: 's', default: 5, help: 'On SIGTERM, the longest grace period a pod gets.' }),
  keepPodsOnStop: bool({ env: 'KJOBS_KEEP_PODS_ON_STOP', default: false, help: 'On SIGTERM leave pods running; a restarted agent re-attaches to them (as after a crash).' }),
  // Read again from the environment where they are used (runtime/, network/): no flags.
  launcher: custom({ env: 'KJOBS_LAUNCHER', flag: false, type: 'path or off', parse: binaryOrOff, defaultText: 'native/kjobs-launcher.c compiled once with $CC', help: 'The process runtime\'s launcher binary; off: the sh shim.' }),
  nsDial: path({ env: 'KJOBS_NSDIAL', flag: false, mustExist: 'file', defaultText: 'native/kjobs-nsdial.c compiled once with $CC', help: 'The helper that dials into a pod\'s network namespace.' }),
  runc: text({ env: 'KJOBS_RUNC', flag: false, default: 'runc', help: 'The runc binary of the oci runtime.' }),
  cacheDir: path({ env: 'KJOBS_CACHE_DIR', flag: false, defaultText: '~/.cache/kjobs', help: 'Where compiled helpers and built images are cached.' }),
  nodeIp: custom({ env: 'KJOBS_NODE_IP', type: 'IPv4 address', parse: ipv4, default: '127.0.0.1', help: 'The Node\'s InternalIP (the kubelet\'s --node-ip): other nodes route this node\'s pod CIDR to it when the pod network runs in KJOBS_NODE_NETNS.' }),
  nodeNetns: text({ env: 'KJOBS_NODE_NETNS', help: 'Run the node\'s pod network in this existing named network namespace (one a harness or the operator made, never the host\'s own) and route other nodes\' pod CIDRs to their InternalIPs there (host-gw); unset: a namespace of kjobs\' own joined to the machine\'s other nodes.' }),
  joinToken: secret({ env: 'KJOBS_JOIN_TOKEN', help: 'A bootstrap token (kjobs token create): join the cluster, keep the node\'s credential in <node dir>/kubelet.conf, use it from then on. Ignored when KJOBS_TOKEN is set or kubelet.conf exists.' }),
  discoveryTokenCaCertHash: text({ env: 'KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH', help: 'The cluster CA\'s pin when joining, sha256:<hex of its public key info> (printed by kjobs token create --print-join-command).' }),
  discoveryTokenUnsafeSkipCaVerification: bool({ env: 'KJOBS_DISCOVERY_TOKEN_UNSAFE_SKIP_CA_VERIFICATION', default: false, help: 'Join without pinning the cluster CA (insecure; for clusters that serve plain HTTP).' }),
  natsUrl: c.natsUrl, natsUser: c.natsUser, natsPassword: c.natsPassword, token: c.token, subjectPrefix: c.subjectPrefix,
  httpAddr: c.httpAddr, addrFile: c.addrFile, logLevel: c.logLevel,
});
