/** Test support of @kjobs/memq, for other workspaces' tests: HTTP calls to a MemQ (or kuard) server. */
export { call, close, listen, type Reply } from './http.js';
