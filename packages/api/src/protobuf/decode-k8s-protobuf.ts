import { badRequest, unsupportedMediaType } from '../errors.js';
import type { KObject } from '../types.js';
import { decodeMessage } from './decode-message.js';
import { KIND_STRUCTS } from './go-schema.js';
import { WireReader, WireType } from './wire-reader.js';

/** The media type client-go's typed clients send: `kubectl create job --from=cronjob/x` uses it. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** "k8s\0": the 4 bytes that start every Kubernetes protobuf body. */
export const K8S_PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The group/version each kind kjobs decodes must arrive with. */
const KIND_API_VERSIONS: Readonly<Record<string, string>> = {
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Pod: 'v1',
  Node: 'v1',
  Event: 'v1',
  Namespace: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  ReplicaSet: 'apps/v1',
  Lease: 'coordination.k8s.io/v1',
};

/** Options of {@link decodeK8sProtobuf}. */
export interface DecodeProtobufOptions {
  /** Keep `status` (default false: a create/update body's status is ignored by the server anyway). */
  keepStatus?: boolean;
}

/** The envelope of a Kubernetes protobuf body (runtime.Unknown). */
interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

function readTypeMeta(bytes: Uint8Array): { apiVersion: string; kind: string } {
  const r = new WireReader(bytes);
  let apiVersion = '';
  let kind = '';
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.BYTES) apiVersion = r.string();
    else if (field === 2 && wire === WireType.BYTES) kind = r.string();
    else r.skip(wire);
  }
  return { apiVersion, kind };
}

function readEnvelope(buf: Uint8Array): Envelope {
  if (buf.length < 4 || !K8S_PROTOBUF_MAGIC.every((b, i) => buf[i] === b)) {
    throw badRequest('protobuf: the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const r = new WireReader(buf.subarray(4));
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  while (!r.done) {
    const { field, wire } = r.key();
    if (wire !== WireType.BYTES) {
      r.skip(wire);
      continue;
    }
    if (field === 1) Object.assign(env, readTypeMeta(r.bytes()));
    else if (field === 2) env.raw = r.bytes();
    else if (field === 3) env.contentEncoding = r.string();
    else r.bytes();
  }
  return env;
}

/**
 * Decode a Kubernetes protobuf request body (`6b 38 73 00` + runtime.Unknown{typeMeta, raw}) into the
 * JSON object the Go API server would see, for every kind kjobs serves (Job fully, as
 * `kubectl create job --from=cronjob/x` sends it; also CronJob, Pod, Node, Event, Namespace,
 * Service, ReplicaSet, Lease). Field-by-field rules are those of `decodeMessage`: pointer fields
 * set to 0/false stay, non-pointer zero values and zero times go, `status` is dropped unless asked.
 *
 * Throws 415 UnsupportedMediaType for a kind it cannot decode (the client should send JSON) and 400
 * BadRequest for a malformed body.
 */
export function decodeK8sProtobuf(buf: Uint8Array, opts: DecodeProtobufOptions = {}): KObject {
  const env = readEnvelope(buf);
  if (env.contentEncoding !== '') {
    throw unsupportedMediaType(`protobuf: content encoding "${env.contentEncoding}" is not supported`);
  }
  const structName = KIND_STRUCTS[env.kind];
  const apiVersion = KIND_API_VERSIONS[env.kind];
  if (!structName || apiVersion !== env.apiVersion) {
    const what = env.kind ? `${env.apiVersion || '<no apiVersion>'} ${env.kind}` : 'a body without a kind';
    throw unsupportedMediaType(
      `the body of the request was in an unknown format: kjobs cannot decode ${what} from ${PROTOBUF_MEDIA_TYPE} - ` +
        'accepted media types include: application/json, application/yaml',
    );
  }
  const decoded = decodeMessage(structName, env.raw);
  if (!opts.keepStatus) delete decoded.status;
  const metadata = (decoded.metadata ?? {}) as KObject['metadata'];
  return { kind: env.kind, apiVersion: env.apiVersion, ...decoded, metadata };
}

/** Whether a Content-Type header names the Kubernetes protobuf media type. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}
