/**
 * docker-compose.ha.yml as written, without Docker: the HA layout's members are all there, every
 * member has ports of its own (so the layout runs with every container in one network namespace,
 * as tests/compose/docker.test.ts runs it), and the addresses the services are given match where
 * the servers listen: NATS URLs, Sentinels, HAProxy's backends, the advertised URL. The layout runs
 * on a real Docker Engine in tests/compose/docker.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../../scripts/cluster.js';
import { haproxyConfig } from '../../scripts/cluster/haproxy.js';

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}
const load = (file: string) => parseYaml(readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as { name?: string; services: Record<string, Service>; volumes?: Record<string, unknown> };
const ha = load('docker-compose.ha.yml');
const single = load('docker-compose.yml');
const services = ha.services;
const env = (name: string) => services[name]!.environment ?? {};
const port = (addr: string) => Number(addr.split(':').pop());
const flag = (cmd: string[], f: string) => cmd[cmd.indexOf(f) + 1]!;

describe('docker-compose.ha.yml as written', () => {
  it('has every member of the HA layout, as a project of its own', () => {
    expect(ha.name).toBe('kjobs-ha');
    expect(Object.keys(services).sort()).toEqual(['api-server-1', 'api-server-2', 'haproxy', 'init', 'job-controller-1', 'job-controller-2', 'kubelet-agent-1', 'kubelet-agent-2', 'memq',
      'nats-1', 'nats-2', 'nats-3', 'redis-1', 'redis-2', 'registry', 'registry-seed', 'scheduler-1', 'scheduler-2', 'sentinel-1', 'sentinel-2', 'sentinel-3']);
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (!src.startsWith('.') && !src.startsWith('/')) expect(Object.keys(ha.volumes ?? {}), `${name}: volume ${src}`).toContain(src);
      }
      if (!['init', 'registry-seed'].includes(name)) expect(s.healthcheck?.disable, name).toBeUndefined();
    }
    // The upstream images are the single-node file's, pinned by the same digests.
    const images = (f: typeof ha) => new Set(Object.values(f.services).map((s) => s.image));
    expect(images(ha)).toEqual(images(single));
  });

  it('every member listens on ports of its own', () => {
    const listens: [string, number][] = [];
    for (const [name, s] of Object.entries(services)) {
      const e = s.environment ?? {};
      for (const k of ['KJOBS_API_ADDR', 'KJOBS_HTTP_ADDR', 'MEMQ_ADDR', 'KJOBS_HAPROXY_ADDR']) if (e[k]) listens.push([name, port(e[k])]);
      if (name.startsWith('nats-')) for (const f of ['-p', '-m']) listens.push([name, Number(flag(s.command!, f))]);
      if (name.startsWith('nats-')) listens.push([name, port(flag(s.command!, '--cluster'))]);
      if (e.REDIS_PORT) listens.push([name, Number(e.REDIS_PORT)]);
    }
    listens.push(['registry', 5000]);
    const seen = new Map<number, string>();
    for (const [name, p] of listens) {
      expect(seen.get(p), `${name} and ${seen.get(p)} on ${p}`).toBeUndefined();
      seen.set(p, name);
    }
    // Each kjobs service's healthcheck asks its own port.
    for (const [name, s] of Object.entries(services)) {
      const e = s.environment ?? {};
      const own = e.KJOBS_API_ADDR ?? e.KJOBS_HTTP_ADDR ?? e.MEMQ_ADDR ?? e.KJOBS_HAPROXY_ADDR;
      if (own) expect(port(new URL(e.KJOBS_HEALTHZ_URL!).host), name).toBe(port(own));
    }
  });

  it('NATS: three servers routed to each other, with the single-node users; every NATS client gets all three', () => {
    const nats = ['nats-1', 'nats-2', 'nats-3'];
    const client = (n: string) => `nats://${n}:${flag(services[n]!.command!, '-p')}`;
    for (const n of nats) {
      const cmd = services[n]!.command!;
      expect(cmd).toEqual(expect.arrayContaining(['-js', '-c', '/etc/nats/nats.conf', '-n', n]));
      expect(flag(cmd, '--cluster_name')).toBe('kjobs');
      const routes = flag(cmd, '--routes').split(',').sort();
      expect(routes, n).toEqual(nats.filter((m) => m !== n).map((m) => `nats://${m}:${port(flag(services[m]!.command!, '--cluster'))}`));
      expect(services[n]!.volumes).toContain('./deploy/nats.conf:/etc/nats/nats.conf:ro');
      expect(services[n]!.environment).toEqual(single.services.nats!.environment);
    }
    const clients = Object.keys(services).filter((n) => env(n).NATS_USER);
    expect(clients.sort()).toEqual(['api-server-1', 'api-server-2', 'job-controller-1', 'job-controller-2', 'kubelet-agent-1', 'kubelet-agent-2', 'scheduler-1', 'scheduler-2']);
    for (const n of clients) {
      expect(env(n).NATS_URL, n).toBe(nats.map(client).join(','));
      // The same user and password variable as the single-node service of that role.
      const role = n.replace(/-\d$/, '');
      const one = single.services[single.services[role] ? role : n]!.environment!;
      expect([env(n).NATS_USER, env(n).NATS_PASSWORD], n).toEqual([one.NATS_USER, one.NATS_PASSWORD]);
    }
  });

  it('Redis: two nodes and three Sentinels (deploy/redis-ha.sh); the api-servers and memq ask the Sentinels', () => {
    const sentinels = ['sentinel-1', 'sentinel-2', 'sentinel-3'].map((n) => `${n}:${env(n).REDIS_PORT}`).join(',');
    for (const n of ['redis-1', 'redis-2', 'sentinel-1', 'sentinel-2', 'sentinel-3']) {
      expect(services[n]!.command, n).toEqual(['sh', '/usr/local/bin/kjobs-redis-ha', n.startsWith('redis') ? 'node' : 'sentinel']);
      expect(services[n]!.volumes, n).toContain('./deploy/redis-ha.sh:/usr/local/bin/kjobs-redis-ha:ro');
      expect(env(n)).toMatchObject({ REDIS_NAME: n, REDIS_FIRST_PRIMARY: `redis-1:${env('redis-1').REDIS_PORT}`, KJOBS_REDIS_SENTINELS: sentinels, KJOBS_REDIS_MASTER_NAME: 'kjobs' });
    }
    for (const n of ['api-server-1', 'api-server-2', 'memq']) {
      expect(env(n), n).toMatchObject({ KJOBS_REDIS_SENTINELS: sentinels, KJOBS_REDIS_MASTER_NAME: 'kjobs', REDIS_PASSWORD: env('redis-1').REDIS_PASSWORD });
    }
    expect(Object.keys(services).filter((n) => env(n).REDIS_URL).sort()).toEqual(['api-server-1', 'api-server-2', 'memq']);
  });

  it('HAProxy fronts both api-servers with the --ha layout\'s configuration; the kubeconfig names it', () => {
    const h = env('haproxy');
    expect(services.haproxy!.command).toEqual(['node', 'scripts/dist/compose-haproxy.mjs']);
    expect(h.KJOBS_HAPROXY_BACKENDS).toBe(['api-server-1', 'api-server-2'].map((n) => `${n}:${port(env(n).KJOBS_API_ADDR!)}`).join(','));
    expect(services.haproxy!.ports).toEqual([`127.0.0.1:${port(h.KJOBS_HAPROXY_ADDR!)}:${port(h.KJOBS_HAPROXY_ADDR!)}`]);
    for (const n of ['api-server-1', 'api-server-2']) {
      expect(env(n).KJOBS_ADVERTISE_URL).toBe(`https://127.0.0.1:${port(h.KJOBS_HAPROXY_ADDR!)}`);
      expect(env(n).KJOBS_TLS_SANS!.split(',')).toEqual(expect.arrayContaining(['haproxy', n]));
    }
    expect(services.haproxy!.depends_on).toMatchObject({ 'api-server-1': { condition: 'service_healthy' }, 'api-server-2': { condition: 'service_healthy' } });
    const cfg = haproxyConfig({ dir: '', host: '0.0.0.0', port: 6443, backends: [{ name: 'api-server-1', host: 'api-server-1', port: 6441 }] });
    expect(cfg).toContain('  bind 0.0.0.0:6443\n');
    expect(cfg).toContain('  server api-server-1 api-server-1:6441\n');
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/apt-get install[^\n]* haproxy/);
  });
});
