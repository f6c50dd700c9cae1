/** A host and port to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parse `host:port` (`[::1]:port` for IPv6; port 0 = a free one). Throws an Error naming `what`
 * on anything else, so a bad setting fails at start, not as a NaN later.
 */
export function parseListenAddress(text: string, what = 'address'): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`${what}: "${text}" is not host:port (e.g. 127.0.0.1:0)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** `http://host:port` for a bound address (IPv6 hosts bracketed). */
export function httpUrlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
