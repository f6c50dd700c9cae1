import { createHash, type KeyObject } from 'node:crypto';

/** SSH `mpint`: big-endian two's complement, minimal, with a 0x00 lead when the high bit is set. */
function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const digits = unsigned.subarray(i);
  return digits[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), digits]) : digits;
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** The SSH wire-format public key of an RSA key: string "ssh-rsa", mpint e, mpint n (RFC 4253 §6.6). */
export function sshRsaPublicKeyBlob(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('not an RSA public key');
  return Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshString(mpint(Buffer.from(jwk.e, 'base64url'))),
    sshString(mpint(Buffer.from(jwk.n, 'base64url'))),
  ]);
}

/**
 * `ssh.FingerprintSHA256` of an RSA public key: `SHA256:` + unpadded base64 of the SHA-256 of
 * the wire-format key (43 characters after the prefix), as `ssh-keygen -l` prints it.
 */
export function sshFingerprintSha256(publicKey: KeyObject): string {
  const digest = createHash('sha256').update(sshRsaPublicKeyBlob(publicKey)).digest('base64');
  return 'SHA256:' + digest.replace(/=+$/, '');
}
