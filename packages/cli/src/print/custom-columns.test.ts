import { describe, expect, it } from 'vitest';
import { columnsFromSpec, columnsFromTemplate, CustomColumnsPrinter, relaxedJsonPath } from './custom-columns.js';
import { parseOutputFormat } from './output-format.js';

const objs = [
  { metadata: { name: 'alpha', labels: { app: 'x' } }, spec: { containers: [{ image: 'busybox' }, { image: 'kuard' }] } },
  { metadata: { name: 'b\x1b[31m' }, spec: { containers: [] } },
];

describe('custom columns (kubectl CustomColumnsPrinter)', () => {
  it.each([
    ['metadata.name', '{.metadata.name}'], ['.metadata.name', '{.metadata.name}'], ['{metadata.name}', '{.metadata.name}'], ['{.metadata.name}', '{.metadata.name}'], ['', ''],
  ])('relaxed path %s', (expr, want) => expect(relaxedJsonPath(expr)).toBe(want));

  it('rejects what kubectl rejects', () => {
    expect(() => relaxedJsonPath('{a}{b}')).toThrow("unexpected path string, expected a 'name1.name2'");
    expect(() => columnsFromSpec('')).toThrow('custom-columns format specified but no custom columns given');
    expect(() => columnsFromSpec('NAME')).toThrow('unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>');
    expect(() => columnsFromTemplate('')).toThrow('invalid template, missing header line.');
    expect(() => columnsFromTemplate('A B\n')).toThrow('invalid template, missing spec line.');
    expect(() => columnsFromTemplate('A B\n.a\n')).toThrow("number of headers (2) and field specifications (1) don't match");
  });

  it('prints <none>, joins several values with commas, escapes the terminal, aligns with the get tabwriter', () => {
    const p = new CustomColumnsPrinter(columnsFromSpec('NAME:.metadata.name,IMAGES:.spec.containers[*].image,LABELS:.metadata.labels'));
    expect(p.print(objs)).toBe([
      'NAME      IMAGES          LABELS',
      'alpha     busybox,kuard   map[app:x]',
      'b^[[31m   <none>          <none>',
      '',
    ].join('\n'));
    // A later call (a watch event) prints no header and keeps the widths.
    expect(p.print([objs[0]])).toBe('alpha     busybox,kuard   map[app:x]\n');
  });

  it('reads a template file: headers, then paths', () => {
    expect(columnsFromTemplate('NAME  IMAGE\nmetadata.name   {.spec.containers[0].image}\n')).toEqual([
      { header: 'NAME', fieldSpec: '{.metadata.name}' }, { header: 'IMAGE', fieldSpec: '{.spec.containers[0].image}' },
    ]);
  });
});

describe('parseOutputFormat', () => {
  const ctx = { readFile: (p: string) => (p === 'cols' ? 'N\n.metadata.name\n' : '{.kind}') };
  it('parses every -o kubectl get takes', () => {
    expect(parseOutputFormat(undefined, ctx).kind).toBe('table');
    expect(parseOutputFormat('yaml', ctx).kind).toBe('yaml');
    expect(parseOutputFormat('jsonpath={.a}', ctx).kind).toBe('jsonpath');
    expect(parseOutputFormat('jsonpath', { ...ctx, template: '{.a}' }).kind).toBe('jsonpath');
    expect(parseOutputFormat('jsonpath-file=t', ctx)).toMatchObject({ kind: 'jsonpath', template: '{.kind}' });
    expect(parseOutputFormat('custom-columns-file=cols', ctx).kind).toBe('custom-columns');
  });
  it('says what is wrong as kubectl does', () => {
    expect(() => parseOutputFormat('jsonpath=', ctx)).toThrow('template format specified but no template given');
    expect(() => parseOutputFormat('jsonpath={.a', ctx)).toThrow('error parsing jsonpath {.a, unclosed action');
    expect(() => parseOutputFormat('xml', ctx)).toThrow('unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml');
  });
});
