/**
 * The package boundaries of eslint.config.js, proved on deliberate bad imports through ESLint's
 * Node API with the repository's own config: the same check `npm run lint` makes in CI. Each
 * snippet is linted as if it were a file at `filePath` (nothing is written).
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The no-restricted-imports messages ESLint gives `code` placed at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
}

describe('lint rejects imports across the intended boundaries', () => {
  it.each([
    ['a service importing the store', 'services/scheduler/src/bad.ts', "import { RedisStore } from '@kjobs/store';", 'Only the api-server and memq use the store or Redis'],
    ['a service importing Redis', 'services/kubelet-agent/src/bad.ts', "import { Redis } from 'ioredis';", 'Only the api-server and memq use the store or Redis'],
    ['a package importing Redis', 'packages/cli/src/bad.ts', "import { Redis } from 'ioredis';", 'Only the api-server and memq use the store or Redis'],
    ['a service importing another service', 'services/scheduler/src/bad.ts', "import '@kjobs/job-controller';", 'Services export nothing'],
    ['a service importing another service\'s test support outside a test', 'services/job-controller/src/bad.ts', "import { startHarness } from '@kjobs/api-server/testing';", 'Services export nothing'],
    ['a service reaching into another by relative path', 'services/scheduler/src/bad.ts', "import '../../api-server/src/main.js';", 'Cross-package relative imports'],
    ['a package importing a service', 'packages/client/src/bad.ts', "import '@kjobs/api-server';", 'Services export nothing'],
    ['a deep import', 'services/scheduler/src/bad.ts', "import { keyOf } from '@kjobs/client/src/informer.js';", 'not a deep path'],
    ['@kjobs/api reading files', 'packages/api/src/bad.ts', "import { readFileSync } from 'node:fs';", '@kjobs/api does no I/O'],
    ['@kjobs/api opening sockets', 'packages/api/src/bad.ts', "import net from 'net';", '@kjobs/api does no I/O'],
    ['@kjobs/api using NATS', 'packages/api/src/bad.ts', "import { connect } from '@nats-io/transport-node';", '@kjobs/api does no I/O'],
    ['@kjobs/api using Redis', 'packages/api/src/bad.ts', "import { Redis } from 'ioredis';", '@kjobs/api does no I/O'],
    ['a test reaching into another workspace\'s src', 'services/scheduler/src/bad.test.ts', "import '../../../packages/client/src/informer.js';", 'Cross-package relative imports'],
    ['a script reaching into a package by relative path', 'scripts/bad.ts', "import { keyOf } from '../packages/client/src/informer.js';", 'Cross-package relative imports'],
    ['a benchmark deep-importing a package', 'bench/support/bad.ts', "import { keyOf } from '@kjobs/client/src/informer.js';", 'not a deep path'],
  ])('%s', async (_name, filePath, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });
});

describe('lint accepts the intended imports', () => {
  it.each([
    ['the api-server using the store', 'services/api-server/src/ok.ts', "import { RedisStore } from '@kjobs/store';"],
    ['memq using Redis', 'packages/memq/src/ok.ts', "import { Redis } from 'ioredis';"],
    ['the memq server using Redis', 'services/memq/src/ok.ts', "import { Redis } from 'ioredis';"],
    ['a service using packages', 'services/scheduler/src/ok.ts', "import { objectKey } from '@kjobs/api';\nimport { WorkQueue } from '@kjobs/client';"],
    ['a test using another service\'s test support', 'services/job-controller/src/ok.test.ts', "import { startHarness } from '@kjobs/api-server/testing';"],
    ['test support using another service\'s test support', 'services/job-controller/src/testing/ok.ts', "import { startHarness } from '@kjobs/api-server/testing';"],
    ['@kjobs/api using pure libraries', 'packages/api/src/ok.ts', "import { parse } from 'yaml';"],
    ['a script cleaning Redis and reading a service\'s settings', 'scripts/ok.ts', "import { Redis } from 'ioredis';\nimport { apiServerSettings } from '../services/api-server/src/settings.js';"],
    ['a benchmark using packages', 'bench/ok.ts', "import { HttpClient } from '@kjobs/client';"],
  ])('%s', async (_name, filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});
