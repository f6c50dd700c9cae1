import { describe, expect, it } from 'vitest';
import type { Container } from '@kjobs/api';
import { type CatalogEntry, createCatalog, findCatalogEntry, matchImage, parseCatalogFile, parseImageRef, planLaunch, resolveLaunch } from './catalog.js';

describe('parseImageRef', () => {
  it.each([
    ['busybox', { name: 'busybox' }],
    ['busybox:1.36', { name: 'busybox', tag: '1.36' }],
    ['docker.io/library/busybox:1', { name: 'busybox', tag: '1' }],
    ['localhost:5000/x/y', { name: 'localhost:5000/x/y' }],
    ['localhost:5000/x/y:2', { name: 'localhost:5000/x/y', tag: '2' }],
    ['gcr.io/a/b@sha256:abc', { name: 'gcr.io/a/b', digest: 'sha256:abc' }],
    ['gcr.io/a/b:t@sha256:abc', { name: 'gcr.io/a/b', tag: 't', digest: 'sha256:abc' }],
  ])('%s', (ref, want) => {
    expect(parseImageRef(ref)).toEqual(want);
  });
});

describe('matchImage', () => {
  it.each([
    ['gcr.io/kuar-demo/kuard-amd64:*', 'gcr.io/kuar-demo/kuard-amd64:blue', true],
    ['gcr.io/kuar-demo/kuard-amd64:*', 'gcr.io/kuar-demo/kuard-amd64', true],
    ['gcr.io/kuar-demo/kuard-amd64:*', 'gcr.io/kuar-demo/kuard-amd64@sha256:1', true],
    ['gcr.io/kuar-demo/kuard-amd64:*', 'gcr.io/kuar-demo/kuard-arm64:blue', false],
    ['my-batch-image', 'my-batch-image', true],
    ['my-batch-image', 'my-batch-image:latest', true],
    ['my-batch-image', 'my-batch-image:v2', false],
    ['my-batch-image:v2', 'my-batch-image:v2', true],
    ['busybox', 'docker.io/library/busybox:latest', true],
    ['x@sha256:1', 'x@sha256:1', true],
    ['x@sha256:1', 'x@sha256:2', false],
    ['x', 'x@sha256:2', false],
  ])('%s ~ %s → %s', (pattern, image, want) => {
    expect(matchImage(pattern, image)).toBe(want);
  });
});

const kuardProgram = { command: '/usr/bin/node', args: ['/opt/kuard.js'] };
const kuard: CatalogEntry = { image: 'gcr.io/kuar-demo/kuard-amd64:*', program: kuardProgram, entrypointAliases: ['/kuard'], defaultArgs: [] };
const batch: CatalogEntry = { image: 'my-batch-image', program: { command: '/bin/batch', args: ['--x'] }, defaultArgs: ['--default'] };
const c = (over: Partial<Container>): Container => ({ name: 'c', image: 'gcr.io/kuar-demo/kuard-amd64:blue', ...over });

describe('planLaunch (Kubernetes command/args rules)', () => {
  it.each<[string, Container, CatalogEntry | undefined, unknown]>([
    ['kuard, no command: entrypoint alone', c({}), kuard, ['/usr/bin/node', '/opt/kuard.js']],
    ['kuard, command /kuard + args (the book)', c({ command: ['/kuard'], args: ['--keygen-enable', '--keygen-num-to-gen=3'] }), kuard, ['/usr/bin/node', '/opt/kuard.js', '--keygen-enable', '--keygen-num-to-gen=3']],
    ['kuard, command /kuard with flags in command', c({ command: ['/kuard', '--a'], args: ['--b'] }), kuard, ['/usr/bin/node', '/opt/kuard.js', '--a', '--b']],
    ['kuard, args only: entrypoint + args', c({ args: ['--keygen-enable'] }), kuard, ['/usr/bin/node', '/opt/kuard.js', '--keygen-enable']],
    ['catalog image, other command replaces entrypoint', c({ command: ['sh', '-c', 'echo hi'], args: ['x'] }), kuard, ['sh', '-c', 'echo hi', 'x']],
    ['catalog image, no command no args: CMD', c({ image: 'my-batch-image' }), batch, ['/bin/batch', '--x', '--default']],
    ['catalog image, args replace CMD', c({ image: 'my-batch-image', args: ['--mine'] }), batch, ['/bin/batch', '--x', '--mine']],
    ['catalog image, empty args replace CMD', c({ image: 'my-batch-image', args: [] }), batch, ['/bin/batch', '--x']],
    ['raw exec', c({ image: 'busybox', command: ['sh', '-c', 'exit 3'] }), undefined, ['sh', '-c', 'exit 3']],
  ])('%s', (_name, container, entry, argv) => {
    const plan = planLaunch(container, entry ? { entry, program: entry.program as { command: string; args: string[] } } : undefined);
    expect(plan).toMatchObject({ kind: 'run', argv });
  });

  it('no catalog entry and no command: CreateContainerConfigError telling what to do', () => {
    const plan = planLaunch(c({ image: 'my-batch-image' }), undefined);
    expect(plan.kind).toBe('error');
    if (plan.kind !== 'error') return;
    expect(plan.reason).toBe('CreateContainerConfigError');
    expect(plan.message).toContain('"my-batch-image" is not in the kjobs image catalog');
    expect(plan.message).toContain('catalogFile');
  });

  it('args without command and no catalog entry is the same error (no entrypoint to run)', () => {
    expect(planLaunch(c({ image: 'x', args: ['a'] }), undefined).kind).toBe('error');
  });
});

describe('catalog', () => {
  it('user entries shadow the built-in kuard; kuard matches any tag', () => {
    const cat = createCatalog({ entries: [batch], kuardProgram: kuardProgram });
    expect(findCatalogEntry(cat, 'my-batch-image:latest')).toBe(batch);
    expect(findCatalogEntry(cat, 'gcr.io/kuar-demo/kuard-amd64:green')?.image).toBe('gcr.io/kuar-demo/kuard-amd64:*');
    expect(findCatalogEntry(cat, 'busybox')).toBeUndefined();
  });

  it('resolves the kuard program lazily, once', async () => {
    let calls = 0;
    const cat = createCatalog({ kuardProgram: async () => ((calls += 1), kuardProgram) });
    expect(calls).toBe(0);
    const a = await resolveLaunch(cat, c({ command: ['/kuard'] }));
    const b = await resolveLaunch(cat, c({}));
    expect(a).toMatchObject({ kind: 'run', argv: ['/usr/bin/node', '/opt/kuard.js'] });
    expect(b.kind).toBe('run');
    expect(calls).toBe(1);
  });

  it('does not need the program when the command replaces the entrypoint', async () => {
    const cat = createCatalog({ kuardProgram: async () => Promise.reject(new Error('no bundle')) });
    expect(await resolveLaunch(cat, c({ command: ['sh', '-c', 'true'] }))).toMatchObject({ kind: 'run', argv: ['sh', '-c', 'true'] });
  });

  it('a program that cannot be resolved is a RunContainerError plan, not a throw', async () => {
    const cat = createCatalog({ kuardProgram: async () => Promise.reject(new Error('no bundle')) });
    const plan = await resolveLaunch(cat, c({ command: ['/kuard'] }));
    expect(plan).toMatchObject({ kind: 'error', reason: 'RunContainerError' });
    expect(plan.kind === 'error' && plan.message).toContain('no bundle');
  });

  it('parses a YAML catalog file', () => {
    const entries = parseCatalogFile(
      'images:\n  - image: my-batch-image\n    command: /bin/batch\n    args: [--x]\n    entrypointAliases: [/batch]\n    defaultArgs: [--d]\n',
    );
    expect(entries).toEqual([{ image: 'my-batch-image', program: { command: '/bin/batch', args: ['--x'] }, entrypointAliases: ['/batch'], defaultArgs: ['--d'] }]);
  });

  it('parses a JSON catalog file', () => {
    expect(parseCatalogFile('{"images":[{"image":"a","command":"/bin/a"}]}')).toEqual([{ image: 'a', program: { command: '/bin/a', args: [] } }]);
  });

  it.each([
    ['images: 3', /top-level "images" list/],
    ['images:\n  - command: /x', /images\[0\]\.image: required/],
    ['images:\n  - image: a', /images\[0\]\.command: required/],
    ['images:\n  - image: a\n    command: /a\n    args: [1]', /images\[0\]\.args: expected a list of strings/],
  ])('rejects %j', (text, err) => {
    expect(() => parseCatalogFile(text)).toThrow(err);
  });
});
