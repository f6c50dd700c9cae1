import { isIP } from 'node:net';

/** Where to connect for a URL host, and what to call it in Go-style error messages. */
export interface ResolvedHost {
  /** Host to dial. */
  host: string;
  /** Port to dial. */
  port: number;
}

/**
 * Kubernetes service discovery without DNS: a bare host name (no dots, not an IP), such as
 * `queue` in `http://queue:8080/memq/server`, resolves through the service env vars the kubelet
 * injects, `<NAME>_SERVICE_HOST` / `<NAME>_SERVICE_PORT` (name upper-cased, `-` → `_`). The URL's
 * port is kept; the service port is used only when the URL has none. Anything else is dialled as given.
 */
export function resolveServiceHost(
  hostname: string,
  urlPort: string,
  defaultPort: number,
  env: Record<string, string | undefined>,
): ResolvedHost {
  const plain = hostname.replace(/^\[|\]$/g, '');
  const port = urlPort !== '' ? Number(urlPort) : undefined;
  if (!plain.includes('.') && isIP(plain) === 0) {
    const name = plain.toUpperCase().replace(/-/g, '_');
    const svcHost = env[`${name}_SERVICE_HOST`];
    if (svcHost) {
      const svcPort = env[`${name}_SERVICE_PORT`];
      return { host: svcHost, port: port ?? (svcPort ? Number(svcPort) : defaultPort) };
    }
  }
  return { host: plain, port: port ?? defaultPort };
}
