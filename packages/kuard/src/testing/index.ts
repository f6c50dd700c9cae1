import { fileURLToPath } from 'node:url';

/** Test support of @kjobs/kuard, for other workspaces' tests. */
export { call, close, listen, type Reply } from './http.js';

/** kuard's entry file, for tests that run it as a program (`tsx KUARD_MAIN …`). */
export const KUARD_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
