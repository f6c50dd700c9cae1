import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { yamlNestsDeeperThan } from './yaml-depth.js';

/** Documents nested exactly `d` levels, in every YAML style that nests. */
const SHAPES: Record<string, (d: number) => string> = {
  'flow sequence': (d) => '['.repeat(d) + ']'.repeat(d),
  'flow mapping': (d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d),
  'block mapping': (d) => Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
  'block sequence': (d) => Array.from({ length: d }, (_, i) => `${' '.repeat(2 * i)}-`).join('\n') + ' 1\n',
  'compact sequence': (d) => '- '.repeat(d) + 'x\n',
  'complex key': (d) => '? ' + '['.repeat(d - 1) + ']'.repeat(d - 1) + '\n: v\n',
};

describe('yamlNestsDeeperThan', () => {
  it.each(Object.keys(SHAPES))('%s: 50 levels pass a limit of 60, 70 levels do not', (shape) => {
    const make = SHAPES[shape]!;
    expect(yamlNestsDeeperThan(make(50), 60)).toBe(false);
    expect(yamlNestsDeeperThan(make(70), 60)).toBe(true);
  });

  it('counts structure, not brackets inside quotes, comments or block scalars', () => {
    const text = [
      'metadata:',
      '  name: x # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
      '  annotations:',
      `    a: "${'['.repeat(200)}"`,
      `    b: '${'{'.repeat(200)}'`,
      '    c: |',
      `      ${'['.repeat(200)}`,
    ].join('\n');
    expect(yamlNestsDeeperThan(text, 10)).toBe(false);
    expect(YAML.parse(text).metadata.annotations.c).toBe(`${'['.repeat(200)}\n`);
  });

  it('stops early on a huge document: 2 million open brackets are refused without parsing them all', () => {
    expect(yamlNestsDeeperThan('['.repeat(2_000_000), 100)).toBe(true);
  });

  it('passes a real manifest', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] } } } };
    expect(yamlNestsDeeperThan(YAML.stringify(job), 20)).toBe(false);
  });
});
