import { describe, expect, it } from 'vitest';
import { ImageRefError } from './errors.js';
import { defaultPullPolicy, parseImageRef } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it.each([
    ['busybox', 'docker.io', 'library/busybox', 'latest', undefined, 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined, 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io', 'library/busybox', 'latest', undefined, 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox', 'docker.io', 'library/busybox', 'latest', undefined, 'docker.io/library/busybox:latest'],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined, 'docker.io/bitnami/redis:7'],
    ['gcr.io/kuar-demo/kuard-amd64:blue', 'gcr.io', 'kuar-demo/kuard-amd64', 'blue', undefined, 'gcr.io/kuar-demo/kuard-amd64:blue'],
    ['localhost/x', 'localhost', 'x', 'latest', undefined, 'localhost/x:latest'],
    ['127.0.0.1:5000/x/y:v1', '127.0.0.1:5000', 'x/y', 'v1', undefined, '127.0.0.1:5000/x/y:v1'],
    [`x/y@${D}`, 'docker.io', 'x/y', undefined, D, `docker.io/x/y@${D}`],
    [`busybox:1.36@${D}`, 'docker.io', 'library/busybox', '1.36', D, `docker.io/library/busybox:1.36@${D}`],
    ['a_b__c-d--e/f.g:T_1.-x', 'docker.io', 'a_b__c-d--e/f.g', 'T_1.-x', undefined, 'docker.io/a_b__c-d--e/f.g:T_1.-x'],,
  ] as [string, string, string, string | undefined, string | undefined, string][])('%s', (image, registry, repository, tag, digest, name) => {
    expect(parseImageRef(image)).toEqual({ registry, repository, name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) });
  });

  it.each([
    ['', /invalid reference format$/],
    ['Busybox', /must be lowercase/],
    ['busybox:', /invalid reference format/],
    ['busybox@sha256:abc', /invalid digest/],
    ['a//b', /invalid reference format/],
    ['-a/b', /invalid reference format/],
    ['a/b:-x', /invalid reference format/],
    ['gcr.io/Kuar/x', /must be lowercase/],
    ['a b', /invalid reference format/],
    ['a.b_c/x', /invalid reference format$/],
    ['a'.repeat(64), /64-byte hexadecimal/],
    [`x/${'y'.repeat(260)}`, /255 characters/],
  ])('refuses %j', (image, message) => {
    expect(() => parseImageRef(image)).toThrow(ImageRefError);
    expect(() => parseImageRef(image)).toThrow(message);
    expect(() => parseImageRef(image)).toThrow(`failed to parse image reference "${image}"`);
  });
});

describe('defaultPullPolicy', () => {
  it.each([
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['gcr.io/kuar-demo/kuard-amd64:blue', 'IfNotPresent'],
    [`busybox@${D}`, 'IfNotPresent'],
    [`busybox:latest@${D}`, 'Always'],
    ['Not Valid', 'IfNotPresent'],
  ] as const)('%s → %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});
