import { describe, expect, it } from 'vitest';
import { Node } from './tree.js';

// Cases ported from julienschmidt/httprouter v1.2.0 tree_test.go, the router kuard uses.
const bin = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

function build(routes: string[]): Node<string> {
  const tree = new Node<string>();
  for (const r of routes) tree.addRoute(bin(r), r);
  return tree;
}

describe('tree: wildcard matching (TestTreeWildcard)', () => {
  const tree = build([
    '/', '/cmd/:tool/:sub', '/cmd/:tool/', '/src/*filepath', '/search/', '/search/:query', '/user_:name',
    '/user_:name/about', '/files/:dir/*filepath', '/doc/', '/doc/go_faq.html', '/doc/go1.html',
    '/info/:user/public', '/info/:user/project/:project',
  ]);
  it.each([
    ['/', false, '/', {}],
    ['/cmd/test/', false, '/cmd/:tool/', { tool: 'test' }],
    ['/cmd/test', true, undefined, { tool: 'test' }],
    ['/cmd/test/3', false, '/cmd/:tool/:sub', { tool: 'test', sub: '3' }],
    ['/src/', false, '/src/*filepath', { filepath: '/' }],
    ['/src/some/file.png', false, '/src/*filepath', { filepath: '/some/file.png' }],
    ['/search/', false, '/search/', {}],
    ['/search/someth!ng+in+ünìcodé', false, '/search/:query', { query: bin('someth!ng+in+ünìcodé') }],
    ['/search/someth!ng+in+ünìcodé/', true, undefined, { query: bin('someth!ng+in+ünìcodé') }],
    ['/user_gopher', false, '/user_:name', { name: 'gopher' }],
    ['/user_gopher/about', false, '/user_:name/about', { name: 'gopher' }],
    ['/files/js/inc/framework.js', false, '/files/:dir/*filepath', { dir: 'js', filepath: '/inc/framework.js' }],
    ['/info/gordon/public', false, '/info/:user/public', { user: 'gordon' }],
    ['/info/gordon/project/go', false, '/info/:user/project/:project', { user: 'gordon', project: 'go' }],
  ])('%s', (path, nilHandler, route, params) => {
    const got = tree.getValue(bin(path));
    expect(got.handle).toBe(nilHandler ? undefined : route);
    expect(Object.fromEntries(got.params.map((p) => [p.key, p.value]))).toEqual(params);
  });
});

describe('tree: trailing slash recommendation (TestTreeTrailingSlashRedirect)', () => {
  const tree = build([
    '/hi', '/b/', '/search/:query', '/cmd/:tool/', '/src/*filepath', '/x', '/x/y', '/y/', '/y/z', '/0/:id',
    '/0/:id/1', '/1/:id/', '/1/:id/2', '/aa', '/a/', '/admin', '/admin/:category', '/admin/:category/:page',
    '/doc', '/doc/go_faq.html', '/doc/go1.html', '/no/a', '/no/b', '/api/hello/:name',
  ]);
  it.each([
    '/hi/', '/b', '/search/gopher/', '/cmd/vet', '/src', '/x/', '/y', '/0/go/', '/1/go', '/a', '/admin/',
    '/admin/config/', '/admin/config/permissions/', '/doc/',
  ])('recommends a redirect for %s', (path) => {
    const got = tree.getValue(path);
    expect(got.handle).toBeUndefined();
    expect(got.tsr).toBe(true);
  });
  it.each(['/', '/no', '/no/', '/_', '/_/', '/api/world/abc'])('no recommendation for %s', (path) => {
    const got = tree.getValue(path);
    expect(got.handle).toBeUndefined();
    expect(got.tsr).toBe(false);
  });
});

describe('tree: case-insensitive path fixing (TestTreeFindCaseInsensitivePath, ASCII cases)', () => {
  const routes = [
    '/hi', '/b/', '/ABC/', '/search/:query', '/cmd/:tool/', '/src/*filepath', '/x', '/x/y', '/y/', '/y/z',
    '/0/:id', '/0/:id/1', '/1/:id/', '/1/:id/2', '/aa', '/a/', '/doc', '/doc/go_faq.html', '/doc/go1.html',
    '/doc/go/away', '/no/a', '/no/b', '/Π', '/u/apfêl/', '/u/äpfêl/', '/u/öpfêl', '/w/♬', '/w/♭/',
  ];
  const tree = build(routes);
  it.each(routes)('finds registered route %s as is', (r) => {
    expect(tree.findCaseInsensitivePath(bin(r), true)).toEqual({ path: bin(r), found: true });
    expect(tree.findCaseInsensitivePath(bin(r), false)).toEqual({ path: bin(r), found: true });
  });
  const cases: [string, string, boolean, boolean][] = [
    ['/HI', '/hi', true, false], ['/HI/', '/hi', true, true], ['/B', '/b/', true, true], ['/B/', '/b/', true, false],
    ['/abc', '/ABC/', true, true], ['/abc/', '/ABC/', true, false], ['/aBc', '/ABC/', true, true], ['/aBc/', '/ABC/', true, false],
    ['/abC', '/ABC/', true, true], ['/abC/', '/ABC/', true, false], ['/SEARCH/QUERY', '/search/QUERY', true, false],
    ['/SEARCH/QUERY/', '/search/QUERY', true, true], ['/CMD/TOOL/', '/cmd/TOOL/', true, false], ['/CMD/TOOL', '/cmd/TOOL/', true, true],
    ['/SRC/FILE/PATH', '/src/FILE/PATH', true, false], ['/x/Y', '/x/y', true, false], ['/x/Y/', '/x/y', true, true],
    ['/X/y', '/x/y', true, false], ['/X/y/', '/x/y', true, true], ['/X/Y', '/x/y', true, false], ['/X/Y/', '/x/y', true, true],
    ['/Y/', '/y/', true, false], ['/Y', '/y/', true, true], ['/Y/z', '/y/z', true, false], ['/Y/z/', '/y/z', true, true],
    ['/Y/Z', '/y/z', true, false], ['/Y/Z/', '/y/z', true, true], ['/y/Z', '/y/z', true, false], ['/y/Z/', '/y/z', true, true],
    ['/Aa', '/aa', true, false], ['/Aa/', '/aa', true, true], ['/AA', '/aa', true, false], ['/AA/', '/aa', true, true],
    ['/aA', '/aa', true, false], ['/aA/', '/aa', true, true], ['/A/', '/a/', true, false], ['/A', '/a/', true, true],
    ['/DOC', '/doc', true, false], ['/DOC/', '/doc', true, true], ['/NO', '', false, true], ['/DOC/GO', '', false, true],
    ['/w/♬/', '/w/♬', true, true], ['/w/♭', '/w/♭/', true, true],
  ];
  it.each(cases)('%s → %s (found %s, needs slash fix %s)', (input, out, found, slash) => {
    const withFix = tree.findCaseInsensitivePath(bin(input), true);
    expect(withFix.found).toBe(found);
    if (found) expect(withFix.path).toBe(bin(out));
    const noFix = tree.findCaseInsensitivePath(bin(input), false);
    if (slash) expect(noFix.found).toBe(false);
    else {
      expect(noFix.found).toBe(found);
      if (found) expect(noFix.path).toBe(bin(out));
    }
  });
});

describe('tree: conflicts panic like httprouter', () => {
  it.each([
    [['/cmd/:tool/:sub', '/cmd/vet'], /conflicts/],
    [['/src/*filepath', '/src/*filepathx'], /conflicts|already registered/],
    [['/a', '/a'], /already registered/],
    [['/:'], /non-empty name/],
  ])('%j', (routes, err) => {
    expect(() => build(routes)).toThrow(err);
  });
});
