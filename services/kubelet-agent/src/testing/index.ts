/** Test support of the kubelet-agent, for end-to-end tests (a service exports nothing else). */
export { OciLayout } from '../runtime/oci/run-files.js';
export { networkNames } from '../network/names.js';
export { nsDialBinary } from '../network/ns-dial.js';
export { kubeletConfPath } from '../join.js';
