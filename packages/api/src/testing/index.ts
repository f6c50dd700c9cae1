/** Test support of @kjobs/api: valid manifests of each kind and a protobuf encoder for fixtures. */
export { jobManifest, prepareJob, validCronJob, validJob, validPod } from './fixtures.js';
export { entry, f, k8sBody, msg, packed, varint, type ProtoField } from './encode-protobuf.js';
export { thrownApiError } from './api-error.js';
