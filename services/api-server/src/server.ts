import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { API_SERVER_BEAT_MS, encodeJson, Subjects, type ApiServerBeat, type NatsConnection } from '@kjobs/bus';
import type { Store } from '@kjobs/store';
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { natsConnected } from '@kjobs/observe';
import { ApiService } from './api-service.js';
import { Authenticator, type Identity } from './auth.js';
import { createApp } from './http/app.js';
import { Metrics } from './metrics.js';
import { serveNatsApi } from './nats-api.js';
import { NodeBridge } from './node-bridge.js';
import type { Pki } from './pki.js';
import { upgradeHandler } from './upgrade.js';
import { WatchHub } from './watch-hub.js';
import { EventJanitor } from './event-janitor.js';
import type { RelayLease } from './relay-lease.js';
import { type ClusterInfo, publishClusterInfo, serveNodeJoin } from './node-join.js';
import type { NodeCredentials } from './tokens.js';

/** Options of one api-server. */
export interface ApiServerOptions {
  store: Store;
  nc: NatsConnection;
  log: Logger;
  /** Listen address (default 127.0.0.1), port (default 6443; 0 = any free port). */
  host?: string;
  port?: number;
  /** TLS material; without it the server speaks plain HTTP (tests, or behind a TLS proxy). */
  tls?: Pki;
  tokens: Map<string, Identity>;
  /** Re-reads the tokens when an unknown one arrives (the token file); optional. */
  reloadTokens?: () => Map<string, Identity>;
  allowAnonymous?: boolean;
  /** NATS subject prefix (default "kjobs"). */
  subjectPrefix?: string;
  maxBodyBytes?: number;
  /** Events older than this are deleted (default 1 h, Kubernetes' --event-ttl). */
  eventTtlMs?: number;
  now?: () => Date;
  /** MemQ's URL for the dashboard's queue panel (optional). */
  memqUrl?: string;
  /**
   * With several api-servers: only the holder of this lease publishes watch events to NATS
   * (started and stopped with the server). Without it this api-server always publishes.
   */
  relayLease?: RelayLease;
  /**
   * Nodes joining with bootstrap tokens (node-join.ts): where their credentials go, and what
   * kube-public/cluster-info tells them (`server` defaults to the URL this server listens on).
   * Without it `<p>.join` is not served.
   */
  join?: { credentials: NodeCredentials; clusterInfo: Omit<ClusterInfo, 'server'> & { server?: string } };
}

/** A running api-server: HTTP(S) front end, NATS API, relay. */
export interface ApiServer {
  api: ApiService;
  hub: WatchHub;
  server: http.Server;
  /** https://127.0.0.1:6443 */
  url: string;
  close(): Promise<void>;
}

/** Build and start an api-server (listening, relaying, serving NATS). */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const subjects = new Subjects(o.subjectPrefix);
  const api = new ApiService({ store: o.store, now: o.now });
  await api.ensureSystemNamespaces();
  const hub = new WatchHub(o.store, o.nc, subjects, o.log.child({ component: 'relay' }), o.relayLease);
  await hub.start();
  // A new holder beats at once: subscribers learn of what the last holder left unpublished.
  await o.relayLease?.start(() => hub.heartbeat());
  const auth = new Authenticator({ tokens: o.tokens, allowAnonymous: o.allowAnonymous, reload: o.reloadTokens });
  const metrics = new Metrics();
  const nodes = new NodeBridge(o.nc, subjects);
  const host = o.host ?? '127.0.0.1';
  const app = createApp({
    api, hub, auth, nodes, metrics, log: o.log.child({ component: 'http' }),
    serverAddress: `${host}:${o.port ?? 6443}`, maxBodyBytes: o.maxBodyBytes, memqUrl: o.memqUrl,
    readiness: [
      // A store read waits for a Redis that is down (ioredis queues it until it reconnects): a
      // second without an answer is "not ready", so a load balancer's check does not hang.
      { name: 'store', check: () => withTimeout(o.store.revision().then(() => true), 1000, false) },
      { name: 'nats', check: natsConnected(o.nc) },
    ],
  });
  const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, app) : http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // watches and followed logs stay open
  server.on('upgrade', upgradeHandler(api, auth, nodes));
  const janitor = new EventJanitor({
    store: o.store, ttlMs: o.eventTtlMs, now: o.now, log: o.log.child({ component: 'event-janitor' }),
    isLeader: o.relayLease ? () => o.relayLease!.isHeld() : undefined,
  });
  janitor.start();
  const natsSub: Subscription = serveNatsApi(o.nc, subjects, api, auth, metrics, nodes, o.log.child({ component: 'nats-api' }));
  const beat = beatApiServer(o.nc, subjects, o.relayLease?.id ?? randomUUID());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 6443, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let joinSub: Subscription | undefined;
  if (o.join) {
    await publishClusterInfo(api, { ...o.join.clusterInfo, server: o.join.clusterInfo.server ?? url });
    joinSub = serveNodeJoin({ nc: o.nc, subjects, api, credentials: o.join.credentials, now: o.now, log: o.log.child({ component: 'node-join' }) });
  }
  return {
    api, hub, server, url,
    async close() {
      janitor.stop();
      natsSub.unsubscribe();
      joinSub?.unsubscribe();
      beat.stop();
      await hub.stop();
      await o.relayLease?.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Beat every API_SERVER_BEAT_MS on `<p>.hb.api-servers`, so clients fail the requests they sent to
 * this api-server at once if it dies with them (NatsClient, ApiServerBeats); `stop()` says bye.
 */
function beatApiServer(nc: NatsConnection, subjects: Subjects, id: string): { stop(): void } {
  const send = (bye?: boolean) => {
    try {
      const server = nc.info?.server_id;
      if (!nc.isClosed()) nc.publish(subjects.apiServers(), encodeJson({ id, ...(bye ? { bye } : {}), ...(server ? { server } : {}) } satisfies ApiServerBeat));
    } catch {
      /* the next beat */
    }
  };
  send();
  const timer = setInterval(() => send(), API_SERVER_BEAT_MS);
  timer.unref();
  // Back on a NATS server (another one, in a cluster): say so at once, so clients fail what was
  // lost with the old one without waiting for the next beat.
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') send();
  })().catch(() => undefined);
  return {
    stop() {
      clearInterval(timer);
      send(true);
    },
  };
}

/** `p`'s value, or `fallback` when it takes longer than `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)));
  return Promise.race([p.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}
