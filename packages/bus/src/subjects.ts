import type { ResourceInfo } from '@kjobs/api';

/**
 * Every NATS subject kjobs uses, in one place. All start with a prefix (default "kjobs") so tests
 * and several clusters can share one NATS server.
 *
 * | subject | pattern | payload |
 * |---|---|---|
 * | `<p>.api` | request/reply, queue group `api-server` | ApiRequest → ApiReply |
 * | `<p>.watch.<group>.<resource>.<ns>` | publish/subscribe | WatchMessage (one change) |
 * | `<p>.hb.<group>.<resource>` | publish/subscribe, every second | Heartbeat (last revision relayed) |
 * | `<p>.hb.api-servers` | publish/subscribe, every 500 ms from each api-server | ApiServerBeat |
 * | `<p>.node.<node>.<logs|attach|exec>` | stream request (see stream.ts; exec is duplex) | node-addressed work |
 * | `<p>.join` | request/reply, queue group `api-server` | JoinRequest → ApiReply (a node joining with a bootstrap token) |
 */
export class Subjects {
  constructor(readonly prefix = 'kjobs') {
    if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`invalid subject prefix ${prefix}`);
  }

  /** API requests to the api-servers (queue group `api-server`). */
  api(): string {
    return `${this.prefix}.api`;
  }

  /** A node joining with a bootstrap token (discovery, then its credential; queue group `api-server`). */
  join(): string {
    return `${this.prefix}.join`;
  }

  /** Change events of one namespace ("" → `_` for cluster-scoped kinds). */
  watch(res: Pick<ResourceInfo, 'group' | 'resource'>, namespace: string): string {
    return `${this.prefix}.watch.${token(res.group || 'core')}.${res.resource}.${namespace ? token(namespace) : '_'}`;
  }

  /** Every namespace of a kind. */
  watchAll(res: Pick<ResourceInfo, 'group' | 'resource'>): string {
    return `${this.prefix}.watch.${token(res.group || 'core')}.${res.resource}.*`;
  }

  /** Relay heartbeats of a kind. */
  heartbeat(res: Pick<ResourceInfo, 'group' | 'resource'>): string {
    return `${this.prefix}.hb.${token(res.group || 'core')}.${res.resource}`;
  }

  /** Every api-server's beats (one token after `hb`, so no kind's heartbeat subject can equal it). */
  apiServers(): string {
    return `${this.prefix}.hb.api-servers`;
  }

  /** Node-addressed work (`logs`, `attach`, `exec`) for one kubelet-agent. */
  node(nodeName: string, what: 'logs' | 'attach' | 'exec' | 'portforward'): string {
    return `${this.prefix}.node.${token(nodeName)}.${what}`;
  }
}

/**
 * A subject token from a DNS name: dots would split tokens, so they become `_` (never valid in a
 * DNS name, so the mapping is one-to-one). Anything else outside [a-z0-9-] is refused.
 */
export function token(name: string): string {
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(name)) throw new Error(`name not usable in a subject: ${JSON.stringify(name)}`);
  return name.replace(/\./g, '_');
}
