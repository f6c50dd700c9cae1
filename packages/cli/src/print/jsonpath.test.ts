import { describe, expect, it } from 'vitest';
import { formatGoFloat, goSprint } from './go-value.js';
import { JsonPath } from './jsonpath.js';

const list = {
  apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' },
  items: [
    { metadata: { name: 'a', labels: { app: 'x', 'k8s.io/role': 'r' } }, spec: { n: 1, f: 1.5, on: true, cmd: ['sh', '-c'] }, status: { conditions: [{ type: 'Complete', status: 'True' }] } },
    { metadata: { name: 'b', labels: {} }, spec: { n: 3, f: 1e6 + 0.5, on: false, x: null }, status: {} },
  ],
};

describe('JsonPath.execute (client-go util/jsonpath)', () => {
  it.each([
    ['{.items[*].metadata.name}', 'a b'],
    ['names: {.items[*].metadata.name}!', 'names: a b!'],
    ['{range .items[*]}{.metadata.name}={.spec.n}{"\\n"}{end}', 'a=1\nb=3\n'],
    ['{range .items[*]}[{range .spec.cmd[*]}{@},{end}]{end}', '[sh,-c,][]'],
    ['{.items[0].metadata.labels}', '{"app":"x","k8s.io/role":"r"}'],
    ['{.items[0].spec.cmd}', '["sh","-c"]'],
    ["{.items[0].metadata.labels['k8s.io/role']}", ''],
    ["{.items[0].metadata.labels['k8s\\.io/role']}", 'r'],
    ['{.items[0].metadata.labels.k8s\\.io/role}', 'r'],
    ['{.items[-1].metadata.name}', 'b'],
    ['{.items[0:2:2].metadata.name}', 'a'],
    ['{.items[0,1].spec.n}', '1 3'],
    ['{.items[?(@.spec.n > 2)].metadata.name}', 'b'],
    ['{.items[?(@.spec.n <= 1)].metadata.name}', 'a'],
    ['{.items[?(@.metadata.name != "a")].metadata.name}', 'b'],
    ['{.items[?(@.spec.on == true)].metadata.name}', 'a'],
    ['{.items[?(@.spec.x)].metadata.name}', 'b'],
    ['{.items[*].status.conditions[?(@.type=="Complete")].status}', 'True'],
    ['{.items[*].spec.f}', '1.5 1.0000005e+06'],
    ['{.items[1].spec.x}', '<nil>'],
    ['{.items[*].spec.missing}', ''],
    ['{..labels.app}', 'x'],
    ['{.items[0].metadata.*}', '{"app":"x","k8s.io/role":"r"} a'],
    ['{.kind}{"\\t"}{.metadata.resourceVersion}|', 'List\t|'],
    ["{'single'} {\"\\u00e9\\x41\"} {1.0} {-2} {true}", 'single éA 1 -2 true'],
    ['{.items[5:5]}', ''],
  ])('%s', (template, want) => {
    expect(new JsonPath(template, { allowMissingKeys: true }).execute(list)).toBe(want);
  });

  it('jsonpath-as-json prints each result list as an indented array', () => {
    expect(new JsonPath('{.items[*].metadata.name}', { outputJson: true }).execute(list)).toBe('[\n    "a",\n    "b"\n]\n');
  });

  it.each([
    ['{.items[*}', 'unterminated array'],
    ['{.items', 'unclosed action'],
    ['{.items[x]}', 'invalid array index x'],
    ['{"abc}', 'unterminated quoted string'],
    ['{.a..b..c}', ''],
    ['{.items[?(@.a == 1}', 'unterminated filter'],
    ['{#}', "unrecognized character in action: U+0023 '#'"],
  ])('parse error of %s', (template, message) => {
    if (message) expect(() => new JsonPath(template)).toThrow(message);
    else expect(() => new JsonPath(template)).not.toThrow();
  });

  it.each([
    ['{end}', 'not in range, nothing to end'],
    ['{.items[7]}', 'array index out of bounds: index 7, length 2'],
    ['{.kind[0]}', 'string is not array or slice'],
    ['{.items[?(@.spec.n == "1")]}', 'incompatible types for comparison'],
    ['{.items[?(@.spec.on < true)]}', 'invalid type for comparison'],
    ['{.items[0:1:0]}', 'step must be > 0'],
    ['{foo}', 'unrecognized identifier foo'],
  ])('execution error of %s', (template, message) => {
    expect(() => new JsonPath(template, { allowMissingKeys: true }).execute(list)).toThrow(message);
  });

  it('a missing key fails unless missing keys are allowed', () => {
    expect(() => new JsonPath('{.nope}').execute(list)).toThrow('nope is not found');
    expect(new JsonPath('{.nope}', { allowMissingKeys: true }).execute(list)).toBe('');
  });
});

describe('Go value printing', () => {
  it.each([
    [1, '1'], [1.5, '1.5'], [123456.5, '123456.5'], [1234567.5, '1.2345675e+06'], [0.0001, '0.0001'], [0.00001, '1e-05'], [-2.5e-7, '-2.5e-07'], [1e21, '1e+21'],
  ])('formatGoFloat(%d) = %s', (v, want) => {
    expect(v === 1 ? goSprint(v) : formatGoFloat(v)).toBe(want);
  });

  it('maps and slices as %v', () => {
    expect(goSprint({ b: [1, 'x'], a: null, c: { d: true } })).toBe('map[a:<nil> b:[1 x] c:map[d:true]]');
  });
});
