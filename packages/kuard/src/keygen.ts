import { generateKeyPair } from 'node:crypto';
import { sshFingerprintSha256 } from './fingerprint.js';

/** Generates one key and describes it; the item text kuard logs after "Item done: ". */
export type KeyGenerator = () => Promise<string>;

/**
 * kuard's `generateKey()`: a fresh RSA key (4096 bits in kuard; `bits` lets tests go smaller),
 * described by its SSH SHA-256 fingerprint, or the error text kuard would log. Runs on libuv's
 * thread pool, so the HTTP server stays responsive while keys are made.
 */
export function rsaKeyGenerator(bits: number): KeyGenerator {
  return () =>
    new Promise((resolve) => {
      generateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 }, (err, publicKey) => {
        if (err) return resolve(`Error generating key: ${err.message}`);
        try {
          resolve(sshFingerprintSha256(publicKey));
        } catch (e) {
          resolve(`Error generating ssh key: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
    });
}
