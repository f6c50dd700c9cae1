import { describe, expect, it } from 'vitest';
import type { Pod, Secret } from '@kjobs/api';
import type { PodConfigData } from '../config-data.js';
import { parseConfigKey, pullCredentials } from './pull-secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerSecret = (auths: Record<string, unknown>, key = '.dockerconfigjson'): Secret => ({
  metadata: { name: 'x' }, type: 'kubernetes.io/dockerconfigjson', data: { [key]: b64(JSON.stringify(key === '.dockercfg' ? auths : { auths })) },
});
const DATA: PodConfigData = {
  configMaps: new Map(),
  secrets: new Map<string, Secret | null>([
    ['local', dockerSecret({ '127.0.0.1:5000': { username: 'u', password: 'p', auth: b64('u:p') } })],
    ['by-auth', dockerSecret({ 'http://127.0.0.1:5000/': { auth: b64('a:b:c') } })],
    ['team', dockerSecret({ '127.0.0.1:5000/team': { username: 't', password: 'tp' } })],
    ['hub', dockerSecret({ 'https://index.docker.io/v1/': { username: 'h', password: 'hp' } }, '.dockercfg')],
    ['gone', null],
  ]),
};
const pod = (names: string[]): Pod => ({ metadata: { name: 'p' }, spec: { containers: [], imagePullSecrets: names.map((name) => ({ name })) } });

describe('parseConfigKey', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io', ''],
    ['127.0.0.1:5000', '127.0.0.1:5000', ''],
    ['http://Registry.Example:443/team/', 'registry.example:443', 'team'],
  ])('%s', (key, host, path) => {
    expect(parseConfigKey(key)).toEqual({ host, path });
  });
});

describe('pullCredentials', () => {
  it.each<[string, string[], string, unknown]>([
    ['no pull secrets', [], '127.0.0.1:5000/x:v1', { credentials: [], missing: [] }],
    ['user and password', ['local'], '127.0.0.1:5000/x:v1', { credentials: [{ username: 'u', password: 'p' }], missing: [] }],
    ['from auth, password with a colon', ['by-auth'], '127.0.0.1:5000/x:v1', { credentials: [{ username: 'a', password: 'b:c' }], missing: [] }],
    ['another registry', ['local'], '127.0.0.1:6000/x:v1', { credentials: [], missing: [] }],
    ['a path prefix that matches, before the host-wide one', ['local', 'team'], '127.0.0.1:5000/team/app', { credentials: [{ username: 'u', password: 'p' }, { username: 't', password: 'tp' }], missing: [] }],
    ['a path prefix that does not match', ['team'], '127.0.0.1:5000/teams/app', { credentials: [], missing: [] }],
    ['Docker Hub from a legacy dockercfg', ['hub'], 'busybox', { credentials: [{ username: 'h', password: 'hp' }], missing: [] }],
    ['a missing secret', ['gone', 'local'], '127.0.0.1:5000/x', { credentials: [{ username: 'u', password: 'p' }], missing: ['gone'] }],
  ])('%s', (_n, names, image, want) => {
    expect(pullCredentials(pod(names), image, DATA)).toEqual(want);
  });
});
