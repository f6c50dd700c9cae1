/**
 * `npm test`: makes sure Redis and NATS run (the same way `npm start` finds them), then runs every
 * test with vitest: pure `*.test.ts`, integration `*.int.test.ts` and end-to-end `tests/e2e`.
 * Extra arguments go to vitest (`npm test -- packages/store`). The services' bundles are built
 * first when stale (scripts/bundle.mjs), once, rather than by each test file that starts a cluster.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { ensureServiceBundles } from './bundle.mjs';
import { ensureInfra } from './infra.js';

await ensureServiceBundles();
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-test-'));
const infra = await ensureInfra(stateDir);
const env = { ...process.env, REDIS_URL: infra.redisUrl, NATS_URL: infra.natsUrl };
const child = spawn('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env });
const code: number = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await infra.stop();
// What infra kept there (a Redis or NATS started for this run) is gone with it.
rmSync(stateDir, { recursive: true, force: true });
process.exit(code);
