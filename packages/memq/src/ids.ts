import { randomFillSync } from 'node:crypto';

const POOL_IDS = 512;
const pool = Buffer.allocUnsafe(16 * POOL_IDS);
let next = POOL_IDS;

/**
 * kuard's message id: 16 bytes from the CSPRNG, hex-encoded — 32 lowercase hex chars, no dashes,
 * no version bits. Random bytes are drawn in batches to keep enqueue cheap.
 */
export function newId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const start = 16 * next++;
  return pool.toString('hex', start, start + 16);
}
