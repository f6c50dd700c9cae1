import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap } from '@kjobs/api';
import { decodeJson, encodeJson, Subjects, type ApiReply, type JoinCredential, type JoinDiscovery, type JoinRequest } from '@kjobs/bus';
import { bootstrapTokenSecret, verifyBootstrapSignature } from '@kjobs/client';
import { startHarness, type Harness } from './testing/harness.js';
import { tokenFileCredentials } from './tokens.js';

const TOKEN = 'abcdef.0123456789abcdef';
let clock = new Date('2026-12-07T10:00:00Z');
let h: Harness;
let dir: string;
let tokenFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-join-'));
  tokenFile = path.join(dir, 'tokens.csv');
  writeFileSync(tokenFile, 'admintoken,admin,admin,"system:masters"\n', { mode: 0o600 });
  h = await startHarness({
    now: () => clock,
    join: { credentials: tokenFileCredentials(tokenFile), clusterInfo: { server: 'https://10.0.0.5:6443', caPem: 'CA PEM', natsUrl: 'nats://10.0.0.5:4222' } },
  });
});
afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function join<T>(req: JoinRequest): Promise<ApiReply & { body?: T }> {
  const m = await h.nc.request(new Subjects(h.prefix).join(), encodeJson(req), { timeout: 5_000 });
  return decodeJson(m.data);
}
const refused = (r: ApiReply) => (r.ok ? undefined : { code: r.status.code, reason: r.status.reason, message: r.status.message });

describe('nodes joining with bootstrap tokens', () => {
  it('publishes kube-public/cluster-info as kubeadm does, plus the NATS URL', async () => {
    const cm = await h.http.get<ConfigMap>('ConfigMap', 'kube-public', 'cluster-info');
    expect(cm.data?.nats).toBe('nats://10.0.0.5:4222');
    expect(JSON.parse(cm.data!.kubeconfig!).clusters[0].cluster).toEqual({ server: 'https://10.0.0.5:6443', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') });
  });

  it('refuses a token without its Secret (401) and writes nothing', async () => {
    const before = readFileSync(tokenFile, 'utf8');
    expect(refused(await join({ op: 'discover', token: TOKEN }))).toMatchObject({ code: 401, reason: 'Unauthorized', message: expect.stringContaining('bootstrap token "abcdef" not found') });
    expect(refused(await join({ op: 'join', token: TOKEN, nodeName: 'n1' }))).toMatchObject({ code: 401 });
    expect(refused(await join({ op: 'join', token: 'nonsense', nodeName: 'n1' }))).toMatchObject({ code: 401, message: expect.stringContaining('not of the form') });
    const junk = decodeJson<ApiReply>((await h.nc.request(new Subjects(h.prefix).join(), new TextEncoder().encode('{nope'), { timeout: 5_000 })).data);
    expect(refused(junk)).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(readFileSync(tokenFile, 'utf8')).toBe(before);
  });

  it('signs discovery with the token, issues a node credential (tests/e2e/hosts.test.ts: agents then run with it) once, and refuses bad names', async () => {
    await h.http.create('Secret', bootstrapTokenSecret(TOKEN, { ttlMs: 3600_000, now: clock }));
    const d = await join<JoinDiscovery>({ op: 'discover', token: TOKEN });
    expect(d.ok).toBe(true);
    expect(verifyBootstrapSignature(d.body!.kubeconfig, d.body!.jws, TOKEN)).toBe(true);
    expect(verifyBootstrapSignature(d.body!.kubeconfig, d.body!.jws, 'abcdef.0000000000000000')).toBe(false);

    const before = readFileSync(tokenFile, 'utf8');
    expect(refused(await join({ op: 'join', token: TOKEN, nodeName: 'Bad_Name' }))).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(readFileSync(tokenFile, 'utf8')).toBe(before);

    const c = await join<JoinCredential>({ op: 'join', token: TOKEN, nodeName: 'n1' });
    expect(c.ok).toBe(true);
    expect(c.body!.user).toBe('system:node:n1');
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${before}${c.body!.token},system:node:n1,system:node:n1,"system:nodes"\n`);
    expect(tokenFileCredentials(tokenFile).has('system:node:n1')).toBe(true);
    expect(refused(await join({ op: 'join', token: TOKEN, nodeName: 'n1' }))).toMatchObject({ code: 409, reason: 'AlreadyExists', message: expect.stringContaining('node "n1" already has a credential') });
  });

  it('refuses an expired token and a deleted (revoked) one, writing nothing', async () => {
    const before = readFileSync(tokenFile, 'utf8');
    clock = new Date(clock.getTime() + 3600_000);
    expect(refused(await join({ op: 'join', token: TOKEN, nodeName: 'n2' }))).toMatchObject({ code: 401, message: 'bootstrap token "abcdef" expired at 2026-12-07T11:00:00Z' });
    clock = new Date('2026-12-07T10:30:00Z');
    await h.http.delete('Secret', 'kube-system', 'bootstrap-token-abcdef');
    expect(refused(await join({ op: 'join', token: TOKEN, nodeName: 'n2' }))).toMatchObject({ code: 401, message: expect.stringContaining('not found') });
    expect(readFileSync(tokenFile, 'utf8')).toBe(before);
  });
});
