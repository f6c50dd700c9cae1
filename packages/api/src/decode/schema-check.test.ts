import { describe, expect, it } from 'vitest';
import { parseJsonText } from './json-text.js';
import { parseYamlText } from './yaml-text.js';
import { checkAgainstSchema, DecodeTypeError } from './schema-check.js';
import { strictMessages, enforceFieldValidation, parseFieldValidation, warningHeader, yamlDuplicatesMessage } from './field-validation.js';

const job = (spec: string): string =>
  `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{${spec}"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}}`;

function check(kind: string, text: string) {
  const { value, facts } = parseJsonText(text);
  const unknown = checkAgainstSchema(kind, value, { facts });
  return { value: value as Record<string, any>, unknown, facts };
}

describe('checkAgainstSchema: decode errors (400)', () => {
  it.each([
    ['parallelism beyond int32 (and beyond 2^53)', job('"parallelism":9007199254740993,'), 'json: cannot unmarshal number 9007199254740993 into Go struct field JobSpec.spec.parallelism of type int32'],
    ['completions 2^31', job('"completions":2147483648,'), 'json: cannot unmarshal number 2147483648 into Go struct field JobSpec.spec.completions of type int32'],
    ['backoffLimit below int32', job('"backoffLimit":-2147483649,'), 'json: cannot unmarshal number -2147483649 into Go struct field JobSpec.spec.backoffLimit of type int32'],
    ['a fraction for an int', job('"parallelism":1.5,'), 'json: cannot unmarshal number 1.5 into Go struct field JobSpec.spec.parallelism of type int32'],
    ['1.0 for an int (Go refuses the literal)', job('"parallelism":1.0,'), 'json: cannot unmarshal number 1.0 into Go struct field JobSpec.spec.parallelism of type int32'],
    ['a string for an int', job('"parallelism":"2",'), 'json: cannot unmarshal string into Go struct field JobSpec.spec.parallelism of type int32'],
    ['activeDeadlineSeconds beyond int64', job('"activeDeadlineSeconds":9223372036854775808,'), 'json: cannot unmarshal number 9223372036854775808 into Go struct field JobSpec.spec.activeDeadlineSeconds of type int64'],
    ['a number for a string', job('"completionMode":3,'), 'json: cannot unmarshal number into Go struct field JobSpec.spec.completionMode of type string'],
    ['an object for a bool', job('"suspend":{},'), 'json: cannot unmarshal object into Go struct field JobSpec.spec.suspend of type bool'],
    ['a string for a struct', job('"selector":"x",'), 'json: cannot unmarshal string into Go struct field JobSpec.spec.selector of type v1.LabelSelector'],
    ['an object for a list', job('"podFailurePolicy":{"rules":{}},'), 'json: cannot unmarshal object into Go struct field PodFailurePolicy.spec.podFailurePolicy.rules of type []v1.PodFailurePolicyRule'],
  ])('%s', (_name, text, message) => {
    expect(() => check('Job', text)).toThrow(DecodeTypeError);
    expect(() => check('Job', text)).toThrow(message);
  });

  it('names the innermost struct and the path without list indexes', () => {
    const text = '{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":70000000000}]}]}}';
    expect(() => check('Pod', text)).toThrow('json: cannot unmarshal number 70000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
  });

  it('refuses an int64 in Go\'s range that a JS number would change (kjobs stores it exactly or not at all)', () => {
    expect(() => check('Job', job('"activeDeadlineSeconds":9007199254740993,'))).toThrow(/9007199254740993 into Go struct field JobSpec.spec.activeDeadlineSeconds of type int64: kjobs stores integers exactly/);
  });

  it.each([
    ['int32 bounds', job('"parallelism":2147483647,"backoffLimit":0,"completions":null,')],
    ['int64 safe', job('"activeDeadlineSeconds":9007199254740991,')],
    ['IntOrString both ways', '{"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]}}'],
    ['Quantity as number or string', '{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":1,"memory":"1Gi"}}}]}}'],
    ['labels map', '{"metadata":{"name":"p","labels":{"a":"b"},"creationTimestamp":null},"spec":{"containers":[]}}'],
  ])('accepts %s', (_name, text) => {
    const kind = text.includes('"ports":[{"port"') ? 'Service' : text.includes('"containers"') && !text.includes('batch') ? 'Pod' : 'Job';
    expect(check(kind, text).unknown).toEqual([]);
  });

  it('checks YAML integers by their digits', () => {
    const { value, facts } = parseYamlText('spec:\n  activeDeadlineSeconds: 9007199254740991\n  parallelism: 9007199254740993\n');
    expect(() => checkAgainstSchema('Job', value, { facts })).toThrow('number 9007199254740993 into Go struct field JobSpec.spec.parallelism of type int32');
  });
});

describe('checkAgainstSchema: unknown fields', () => {
  it('finds and prunes them with Kubernetes paths, inlined structs and type meta known', () => {
    const text = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","bogusMeta":1},"spec":{"bogusField":true,"volumes":[{"name":"v","emptyDir":{},"nope":1}],'
      + '"containers":[{"name":"c","image":"i","unknownNested":"x","lifecycle":{"preStop":{"sleep":{"seconds":1}}}}]}}';
    const { value, unknown } = check('Pod', text);
    expect(unknown.map((u) => u.path)).toEqual(['metadata.bogusMeta', 'spec.bogusField', 'spec.volumes[0].nope', 'spec.containers[0].unknownNested']);
    expect(value.spec.bogusField).toBeUndefined();
    expect(value.spec.containers[0]).toEqual({ name: 'c', image: 'i', lifecycle: { preStop: { sleep: { seconds: 1 } } } });
    expect(value.metadata).toEqual({ name: 'p' });
  });

  it('visits keys sorted when asked (a patched object) and skips strategic-merge directives', () => {
    const v = { spec: { zeta: 1, $retainKeys: ['a'], template: { spec: { containers: [{ name: 'c', alpha: 1 }], '$setElementOrder/containers': [{ name: 'c' }] } } } };
    const unknown = checkAgainstSchema('Job', v, { sortKeys: true, patchDirectives: true, prune: false });
    expect(unknown.map((u) => u.path)).toEqual(['spec.template.spec.containers[0].alpha', 'spec.zeta']);
    expect(v.spec.zeta).toBe(1);
  });

  it('passes kinds without a Go type', () => {
    expect(checkAgainstSchema('Nope', { x: 1 })).toEqual([]);
  });
});

describe('strictMessages (kube-apiserver\'s order)', () => {
  it('interleaves a document\'s repeats and unknown fields by position; an unknown repeat is reported once', () => {
    const text = '{"metadata":{"name":"dupename","name":"x","unknownMeta":"v"},"spec":{"unknown1":"v","unknownDupe":"a","unknownDupe":"b","suspend":true,"suspend":false,'
      + '"template":{"spec":{"containers":[{"name":"c","image":"i","unknownNested":"v","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}';
    const { value, facts } = parseJsonText(text);
    const unknown = checkAgainstSchema('Job', value, { facts });
    expect(strictMessages({ duplicates: facts.duplicates, unknown, order: 'document' }).join(', ')).toBe(
      'duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", '
      + 'duplicate field "spec.suspend", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    );
  });

  it('puts a patch\'s repeats first, then the unknown fields as found', () => {
    expect(strictMessages({
      leading: ['json patch unknown field "[0].foo"'],
      duplicates: [{ path: 'spec.paused', offset: 9 }],
      unknown: [{ path: 'spec.a', offset: 1 }],
      order: 'duplicates-first',
    })).toEqual(['json patch unknown field "[0].foo"', 'duplicate field "spec.paused"', 'unknown field "spec.a"']);
  });
});

describe('enforceFieldValidation and friends', () => {
  it.each([
    ['Strict', ['unknown field "spec.bogusField"'], 'throws'],
    ['Warn', ['unknown field "spec.bogusField"'], ['unknown field "spec.bogusField"']],
    ['Ignore', ['unknown field "spec.bogusField"'], []],
    ['Strict', [], []],
  ] as const)('%s with %j', (mode, messages, expected) => {
    if (expected === 'throws') {
      expect(() => enforceFieldValidation(mode, [...messages], 'Job in version "v1" cannot be handled as a Job: ')).toThrow(
        'Job in version "v1" cannot be handled as a Job: strict decoding error: unknown field "spec.bogusField"',
      );
    } else {
      expect(enforceFieldValidation(mode, [...messages])).toEqual(expected);
    }
  });

  it.each([[undefined, 'Warn'], ['', 'Warn'], ['Strict', 'Strict'], ['Ignore', 'Ignore'], ['strict', undefined], ['All', undefined]])('parseFieldValidation(%j) = %j', (v, out) => {
    expect(parseFieldValidation(v)).toBe(out);
  });

  it('formats the Warning header and YAML repeats as Kubernetes does', () => {
    expect(warningHeader('unknown field "spec.bogusField"')).toBe('299 - "unknown field \\"spec.bogusField\\""');
    expect(yamlDuplicatesMessage(['line 5: key "name" already set in map', 'line 12: key "x" already set in map']))
      .toBe('yaml: unmarshal errors:\n  line 5: key "name" already set in map\n  line 12: key "x" already set in map');
  });

  it('reports YAML repeats with their line', () => {
    const y = parseYamlText('metadata:\n  name: a\n  name: b\nspec:\n  paused: true\n  "paused": false\n');
    expect(y.duplicateLines).toEqual(['line 3: key "name" already set in map', 'line 6: key "paused" already set in map']);
    expect(y.value).toEqual({ metadata: { name: 'b' }, spec: { paused: false } });
  });
});
