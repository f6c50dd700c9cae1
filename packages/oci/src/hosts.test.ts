import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryHostsError } from './errors.js';
import { endpointsFor, isLoopback, loadRegistryHosts, parseRegistryHosts } from './hosts.js';

describe('parseRegistryHosts', () => {
  it('accepts https, loopback http, file:// and "*"', () => {
    const hosts = parseRegistryHosts([
      'mirrors:',
      '  gcr.io: { endpoint: ["http://127.0.0.1:5000"] }',
      '  docker.io:',
      '    endpoint: ["http://localhost:5000", "http://[::1]:5000", "http://127.3.4.5", "file:///var/lib/layout"]',
      '  "*": { endpoint: ["https://mirror.example.com/v2"] }',
    ].join('\n'));
    expect(Object.keys(hosts.mirrors)).toEqual(['gcr.io', 'docker.io', '*']);
    expect(hosts.mirrors['docker.io']?.endpoint).toHaveLength(4);
  });

  it.each([
    ['mirrors: { docker.io: { endpoint: ["http://10.0.0.1:5000"] } }', /plain http is allowed only to a loopback host.*"10.0.0.1:5000"/],
    ['mirrors: { docker.io: { endpoint: ["http://127.0.0.1.evil.com"] } }', /only to a loopback host/],
    ['mirrors: { docker.io: { endpoint: ["ftp://x"] } }', /unsupported scheme "ftp:"/],
    ['mirrors: { docker.io: { endpoint: ["file://host/x"] } }', /local absolute path/],
    ['mirrors: { docker.io: { endpoint: "https://x" } }', /endpoint must be a list/],
    ['mirrors: { "a/b": { endpoint: [] } }', /not a registry host/],
    ['mirrors: { docker.io: { endpoint: ["not a url"] } }', /is not a URL/],
    ['configs: {}', /unsupported key "configs"/],
    ['- a', /must be a mapping/],
    ['mirrors: [', /registries.yaml/],
  ])('refuses %s', (text, message) => {
    expect(() => parseRegistryHosts(text)).toThrow(RegistryHostsError);
    expect(() => parseRegistryHosts(text)).toThrow(message);
  });

  it('treats an empty document as no mirrors', () => {
    expect(parseRegistryHosts('')).toEqual({ mirrors: {} });
  });
});

describe('loadRegistryHosts', () => {
  it('reads a file; missing or undefined means no mirrors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kjobs-oci-hosts-'));
    try {
      const file = join(dir, 'registries.yaml');
      await writeFile(file, 'mirrors: { gcr.io: { endpoint: ["http://127.0.0.1:5000"] } }');
      expect((await loadRegistryHosts(file)).mirrors['gcr.io']?.endpoint).toEqual(['http://127.0.0.1:5000']);
      expect(await loadRegistryHosts(join(dir, 'missing.yaml'))).toEqual({ mirrors: {} });
      expect(await loadRegistryHosts(undefined)).toEqual({ mirrors: {} });
      await writeFile(file, 'mirrors: { x: { endpoint: ["http://8.8.8.8"] } }');
      await expect(loadRegistryHosts(file)).rejects.toThrow(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('endpointsFor', () => {
  const hosts = parseRegistryHosts([
    'mirrors:',
    '  docker.io: { endpoint: ["http://127.0.0.1:5000", "file:///srv/layout"] }',
    '  "*": { endpoint: ["https://all.example"] }',
  ].join('\n'));
  it.each([
    ['docker.io', ['http://127.0.0.1:5000/', 'file:///srv/layout', 'https://registry-1.docker.io/']],
    ['gcr.io', ['https://all.example/', 'https://gcr.io/']],
    ['127.0.0.1:5001', ['https://all.example/', 'http://127.0.0.1:5001/']],
  ])('%s', (registry, expected) => {
    expect(endpointsFor(hosts, registry).map(String)).toEqual(expected);
  });
  it('without mirrors is the registry itself', () => {
    expect(endpointsFor({ mirrors: {} }, 'gcr.io').map(String)).toEqual(['https://gcr.io/']);
    expect(endpointsFor({ mirrors: {} }, 'localhost:5000').map(String)).toEqual(['http://localhost:5000/']);
  });
  it.each([['localhost', true], ['127.0.0.1', true], ['127.255.0.9', true], ['[::1]', true], ['::1', true], ['10.0.0.1', false], ['127.0.0.1.nip.io', false]])(
    'isLoopback(%s) = %s', (h, want) => { expect(isLoopback(h)).toBe(want); });
});
