import { fileURLToPath } from 'node:url';

/** Test support of the memq server, for other workspaces' tests (a service exports nothing else). */
export { createMemqServer } from '../server.js';
export { memqProcessFixture } from './service.js';

/** The memq server's entry file, for tests that run it as a program (`tsx MEMQ_SERVER_MAIN`). */
export const MEMQ_SERVER_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
