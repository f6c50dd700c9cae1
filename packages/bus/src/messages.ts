import type { KObject, Status } from '@kjobs/api';

/**
 * One API call over NATS; mirrors a REST request. `batch` carries several creates in `body` (an
 * array of requests, each with verb `create`; at most MAX_BATCH) and replies with an array of
 * ApiReply, one per item in order: each item is authorized, admitted and stored on its own, as
 * if sent alone. Event recorders use it, so a burst of Events costs one message, not one each.
 */
export interface ApiRequest {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'subresource' | 'changes' | 'batch';
  /** ResourceInfo.group ("" for core). */
  group: string;
  /** Plural resource, e.g. "jobs". */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Query parameters, as strings (labelSelector, fieldSelector, limit, continue, resourceVersion, propagationPolicy…). */
  query?: Record<string, string>;
  /** JSON body (object, patch or DeleteOptions). */
  body?: unknown;
  /** For patch: the content type (application/merge-patch+json …). */
  contentType?: string;
  /** Caller identity token (bearer), checked like an HTTP Authorization header. */
  token?: string;
}

/**
 * A node joining the cluster (`<p>.join`), as kubeadm's join does in two steps: `discover`
 * answers the cluster-info kubeconfig signed with the bootstrap token (JoinDiscovery; nothing
 * is written); `join` issues the node's credential (JoinCredential). Both authenticate with the
 * bootstrap token; a bad or expired one is a 401 and changes nothing.
 */
export interface JoinRequest {
  op: 'discover' | 'join';
  /** The bootstrap token `<id>.<secret>`. */
  token: string;
  /** For `join`: the Node's name. */
  nodeName?: string;
}

/** The answer to `discover`: kube-public/cluster-info's kubeconfig and its detached JWS by the token. */
export interface JoinDiscovery {
  kubeconfig: string;
  jws: string;
}

/** The answer to `join`: the node's bearer token (identity `system:node:<name>`, group `system:nodes`). */
export interface JoinCredential {
  user: string;
  token: string;
}

/** The most items one `batch` request may carry. */
export const MAX_BATCH = 100;

/** The reply: a result body or a Status. */
export type ApiReply = { ok: true; body: unknown } | { ok: false; status: Status };

/**
 * One change, published by the relay. `rv`/`prev` are the revision chain of the kind's log; `rv`
 * is the object's resourceVersion, which the published object itself may lack (read messages
 * with `decodeWatchMessage`).
 */
export interface WatchMessage {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: string;
  prev: string;
  object: KObject;
}

/** Relay heartbeat: the last revision published for the kind. */
export interface Heartbeat {
  last: string;
}

/**
 * An api-server's beat (`<p>.hb.api-servers`, every API_SERVER_BEAT_MS from every api-server):
 * a client whose requests wait on an api-server that stopped beating fails them at once instead
 * of at its request timeout. `bye` on a clean stop (its requests were answered).
 */
export interface ApiServerBeat {
  id: string;
  bye?: boolean;
  /**
   * The NATS server the api-server is connected to (its server_id). When it changes, the
   * api-server lost its server: requests routed to it through that server are lost.
   */
  server?: string;
}

/** How often each api-server beats. */
export const API_SERVER_BEAT_MS = 500;

/** A pod log request, api-server → the kubelet-agent of the pod's node (`kjobs.node.<node>.logs`). */
export interface LogRequest {
  namespace: string;
  name: string;
  uid: string;
  container: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}
