import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { Proc } from '../../../../tests/support/test-process.js';

/** The repository root (tests start the service from there, as `npm start` does). */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Test support for files that run services/memq as processes: a private Redis key prefix, a list
 * the file pushes its processes to, and, after the file, every process killed and every key of
 * the prefix deleted. Call at the top of a test file.
 */
export function memqProcessFixture(tag: string): { prefix: string; procs: Proc[]; redis: Redis } {
  const prefix = `test:${tag}:${randomBytes(6).toString('hex')}:`;
  const procs: Proc[] = [];
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    for (const p of procs) p.kill();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return { prefix, procs, redis };
}
