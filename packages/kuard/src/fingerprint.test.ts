import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sshFingerprintSha256, sshRsaPublicKeyBlob } from './fingerprint.js';

// Vectors made independently with OpenSSL + OpenSSH:
//   openssl genrsa 1024 | openssl rsa -pubout > k.pub.pem
//   ssh-keygen -i -m PKCS8 -f k.pub.pem > k.ssh.pub; ssh-keygen -lf k.ssh.pub
const KEY_1024 = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+PgazDPcpbjvtbp73Eq3dBFno
ESWTxmzL++iadf8UDhl7ekaOItmTS3hxxhSjfhAzjva8WamoklblVrFW3SvuXkQ/
heQjZXcRKpQjcBP7djpdQ2MapX2pDcaelQkiqlmltI17gBXSfEA1yJq/XKnQwvPM
6xr4ZmHNps5X550qDQIDAQAB
-----END PUBLIC KEY-----`;
const KEY_1024_SSH =
  'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC+PgazDPcpbjvtbp73Eq3dBFnoESWTxmzL++iadf8UDhl7ekaOItmTS3hxxhSjfhAzjva8WamoklblVrFW3SvuXkQ/heQjZXcRKpQjcBP7djpdQ2MapX2pDcaelQkiqlmltI17gBXSfEA1yJq/XKnQwvPM6xr4ZmHNps5X550qDQ==';
const KEY_2048 = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5V9+eSUwHMHUbL+2jOOB
DzIcnYYgFY4KLC4HcQA7yZIcp+5QDzq2Bz0tJKGncatIPoWCwV/SfNlrBmb4Vs+c
rf4O7HqRH4a3JZ8oOWaDdOuGdXW92vaGdSu5CP5kv2NZ0d1rJHlx2NOlhJO3qg9L
pdmEYMeMLPd4ha47U6W5VM+Wr18d/8WVXrxDzcfMfhOqQn8EvXGcRZJrBkF3wb1N
2lfWTQfVE6fRF06cOsKVJUKRb3yUCu89MZTdNscSBFEu5Bn37fDgxb3ut9y4BXiV
g3V43ZA5NhCpID7nZc/00fsml4+SdYY2MiELVdo8ssqw22tBfatSoQe4Ak5oe6LV
lwIDAQAB
-----END PUBLIC KEY-----`;

describe('SSH SHA256 fingerprint (ssh.FingerprintSHA256)', () => {
  it.each([
    ['1024-bit', KEY_1024, 'SHA256:TDdoofdgA/E0lrE24tkU30JYOIuvNYyFiMs69G6s2/g'],
    ['2048-bit', KEY_2048, 'SHA256:MIsri17DslOFoWw0yx5uQ3qIghNQNdnR8OnNGDmvumM'],
  ])('%s key matches ssh-keygen -lf', (_, pem, want) => {
    expect(sshFingerprintSha256(createPublicKey(pem))).toBe(want);
  });

  it('builds the same wire-format blob as ssh-keygen (string ssh-rsa, mpint e, mpint n with 0x00 lead)', () => {
    expect(sshRsaPublicKeyBlob(createPublicKey(KEY_1024)).toString('base64')).toBe(KEY_1024_SSH);
  });

  it('is 43 base64 characters after the prefix for a fresh key', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
    expect(sshFingerprintSha256(publicKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
