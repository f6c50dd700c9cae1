import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bootstrapTokenFields, bootstrapTokenRefusal, bootstrapTokenSecret, caCertHash, generateBootstrapToken, parseBootstrapToken,
  signWithBootstrapToken, verifyBootstrapSignature,
} from './bootstrap-token.js';

const TOKEN = 'abcdef.0123456789abcdef';
const now = new Date('2026-12-07T10:00:00Z');

describe('bootstrap tokens', () => {
  it('makes tokens of the kubeadm format and stores them as kubeadm does', () => {
    for (let i = 0; i < 20; i++) expect(generateBootstrapToken()).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const s = bootstrapTokenSecret(TOKEN, { ttlMs: 24 * 3600_000, now, description: 'd' });
    expect(s.metadata).toEqual({ name: 'bootstrap-token-abcdef', namespace: 'kube-system' });
    expect(s.type).toBe('bootstrap.kubernetes.io/token');
    expect(bootstrapTokenFields(s)).toEqual({
      'token-id': 'abcdef', 'token-secret': '0123456789abcdef', expiration: '2026-12-08T10:00:00Z', description: 'd',
      'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true', 'auth-extra-groups': 'system:bootstrappers:kjobs:default-node-token',
    });
    expect(bootstrapTokenFields(bootstrapTokenSecret(TOKEN, { ttlMs: 0, now })).expiration).toBeUndefined();
    expect(parseBootstrapToken('ABCDEF.0123456789abcdef')).toBeUndefined();
  });

  const secret = bootstrapTokenSecret(TOKEN, { ttlMs: 3600_000, now });
  const noAuth = { ...secret, data: { ...secret.data, 'usage-bootstrap-authentication': Buffer.from('false').toString('base64') } };
  it.each([
    ['the right token before it expires', TOKEN, secret, now, undefined],
    ['a forever token', TOKEN, bootstrapTokenSecret(TOKEN, { ttlMs: 0, now }), new Date('2099-01-01'), undefined],
    ['not the format', 'abcdef', secret, now, 'not of the form'],
    ['no Secret', TOKEN, undefined, now, 'bootstrap token "abcdef" not found'],
    ['a Secret of another type', TOKEN, { ...secret, type: 'Opaque' }, now, 'not found'],
    ['a wrong secret', 'abcdef.0000000000000000', secret, now, 'has a wrong secret'],
    ['expired', TOKEN, secret, new Date('2026-12-07T11:00:00Z'), 'expired at 2026-12-07T11:00:00Z'],
    ['not for authentication', TOKEN, noAuth, now, 'not usable for authentication'],
  ])('%s', (_what, token, s, at, words) => {
    const r = bootstrapTokenRefusal(token, s as never, at);
    if (words === undefined) expect(r).toBeUndefined();
    else expect(r).toContain(words);
  });

  it('signs with the token (a detached HS256 JWS) and verifies only with the same token and payload', () => {
    const jws = signWithBootstrapToken('payload', TOKEN);
    expect(jws).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', kid: 'abcdef' });
    expect(verifyBootstrapSignature('payload', jws, TOKEN)).toBe(true);
    expect(verifyBootstrapSignature('payload!', jws, TOKEN)).toBe(false);
    expect(verifyBootstrapSignature('payload', jws, 'abcdef.0000000000000000')).toBe(false);
    expect(verifyBootstrapSignature('payload', jws, 'junk')).toBe(false);
  });

  it('pins a CA as kubeadm does: the SHA-256 of its public key info, as openssl computes it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-ca-'));
    try {
      const crt = path.join(dir, 'ca.crt');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'ca.key'), '-out', crt, '-days', '1', '-subj', '/CN=kjobs-ca'], { stdio: 'ignore' });
      // kubeadm's documented recipe: openssl x509 -pubkey | openssl rsa -pubin -outform der | sha256
      const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', crt]);
      const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
      const hex = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der, encoding: 'utf8' }).trim().split(/\s+/).pop();
      expect(caCertHash(readFileSync(crt, 'utf8'))).toBe(`sha256:${hex}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
