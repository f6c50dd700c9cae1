/**
 * Where kuard listens for an `--address` value. Go's `:8080` means every interface; under kjobs
 * each pod has its own loopback IP ($POD_IP, e.g. 127.0.1.5), so an empty host binds there when
 * set (two kuard pods can both serve :8080), else on 0.0.0.0.
 */
export function bindAddress(address: string, podIp: string | undefined): { host: string; port: number } | { error: string } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\w*)$/.exec(address);
  if (!m) return { error: `listen tcp ${address}: address ${address}: missing port in address` };
  const portText = m[3]!;
  const port = portText === '' ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { error: `listen tcp: address ${address}: invalid port` };
  const host = m[1] ?? m[2] ?? '';
  return { host: host !== '' ? host : podIp || '0.0.0.0', port };
}
