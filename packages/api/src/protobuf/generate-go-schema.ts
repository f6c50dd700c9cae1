/**
 * Development tool, not used at run time: reads the Go API types of Kubernetes (k8s.io/api and
 * k8s.io/apimachinery `types.go` files, release-1.32) and writes `go-schema.generated.ts`, the one
 * table from which both the protobuf decoder and the strategic-merge-patch engine work.
 *
 * Every field of a Go API struct carries all we need in its declaration:
 *   Parallelism *int32 `json:"parallelism,omitempty" protobuf:"varint,1,opt,name=parallelism"`
 *   Containers []Container `json:"containers" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,2,rep,name=containers"`
 * the JSON name, omitempty, pointer-ness (for the zero-value rules of the protobuf decoder), the
 * protobuf field number, and the strategic-merge-patch strategy and merge key.
 *
 * Usage (SRC holds `core.v1/types.go`, `batch.v1/types.go`, `apps.v1/types.go`,
 * `coordination.v1/types.go`, `meta.v1/types.go`, taken from the release-1.32 branches):
 *   npx tsx packages/api/src/protobuf/generate-go-schema.ts SRC
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GoField } from './go-schema.js';

/** Go import path → the package id used in type names ("core.v1.Container"). */
const PACKAGES: Record<string, string> = {
  'k8s.io/api/core/v1': 'core.v1',
  'k8s.io/api/batch/v1': 'batch.v1',
  'k8s.io/api/apps/v1': 'apps.v1',
  'k8s.io/api/coordination/v1': 'coordination.v1',
  'k8s.io/apimachinery/pkg/apis/meta/v1': 'meta.v1',
};

/** Types with their own JSON and protobuf encodings, keyed "importPath.Name". */
const SPECIAL: Record<string, string> = {
  'k8s.io/apimachinery/pkg/apis/meta/v1.Time': 'Time',
  'k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime': 'MicroTime',
  'k8s.io/apimachinery/pkg/apis/meta/v1.Duration': 'Duration',
  'k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1': 'FieldsV1',
  'k8s.io/apimachinery/pkg/api/resource.Quantity': 'Quantity',
  'k8s.io/apimachinery/pkg/util/intstr.IntOrString': 'IntOrString',
  'k8s.io/apimachinery/pkg/types.UID': 'string',
  'k8s.io/apimachinery/pkg/runtime.RawExtension': 'RawExtension',
};

/** The kinds kjobs serves: the roots of the walk. */
const ROOTS = [
  'batch.v1.Job', 'batch.v1.CronJob', 'core.v1.Pod', 'core.v1.Node', 'core.v1.Event', 'core.v1.Namespace',
  'core.v1.Service', 'core.v1.ConfigMap', 'core.v1.Secret', 'apps.v1.ReplicaSet', 'coordination.v1.Lease',
];

const BUILTIN: Record<string, string> = {
  string: 'string', bool: 'bool', int: 'int64', int32: 'int32', int64: 'int64', uint: 'uint64', uint32: 'uint32',
  uint64: 'uint64', float32: 'float', float64: 'double', byte: 'uint32',
};

interface RawField { goName: string; goType: string; tag: string }
interface GoPackage {
  id: string;
  path: string;
  imports: Map<string, string>;
  structs: Map<string, RawField[]>;
  named: Map<string, string>;
}

function parsePackage(id: string, path: string, source: string): GoPackage {
  const imports = new Map<string, string>();
  const importBlock = /^import \(([\s\S]*?)^\)/m.exec(source)?.[1] ?? '';
  for (const line of importBlock.split('\n')) {
    const m = /^\s*(\w+\s+)?"([^"]+)"/.exec(line);
    if (!m) continue;
    const p = m[2]!;
    imports.set(m[1]?.trim() ?? p.slice(p.lastIndexOf('/') + 1), p);
  }
  const structs = new Map<string, RawField[]>();
  const named = new Map<string, string>();
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const s = /^type (\w+) struct \{\s*$/.exec(line);
    if (s) {
      const fields: RawField[] = [];
      for (i++; i < lines.length && lines[i] !== '}'; i++) {
        const f = /^\t(?:(\w+)\s+)?([\w.*[\]]+)\s+`([^`]*)`/.exec(lines[i]!);
        if (f) fields.push({ goName: f[1] ?? '', goType: f[2]!, tag: f[3]! });
      }
      structs.set(s[1]!, fields);
      continue;
    }
    const n = /^type (\w+) ([\w.*[\]]+)\s*$/.exec(line);
    if (n) named.set(n[1]!, n[2]!);
  }
  return { id, path, imports, structs, named };
}

function tagValue(tag: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag)?.[1];
}

class SchemaBuilder {
  readonly out = new Map<string, GoField[]>();
  private readonly byPath = new Map<string, GoPackage>();
  private readonly queue: string[] = [];

  constructor(packages: GoPackage[]) {
    for (const p of packages) this.byPath.set(p.path, p);
  }

  build(roots: string[]): Map<string, GoField[]> {
    this.queue.push(...roots);
    while (this.queue.length) {
      const name = this.queue.shift()!;
      if (this.out.has(name)) continue;
      this.out.set(name, this.fieldsOf(name));
    }
    return this.out;
  }

  private pkgById(id: string): GoPackage {
    for (const p of this.byPath.values()) if (p.id === id) return p;
    throw new Error(`unknown package ${id}`);
  }

  private fieldsOf(qualified: string): GoField[] {
    const dot = qualified.lastIndexOf('.');
    const pkg = this.pkgById(qualified.slice(0, dot));
    const raw = pkg.structs.get(qualified.slice(dot + 1));
    if (!raw) throw new Error(`no struct ${qualified}`);
    const fields: GoField[] = [];
    for (const f of raw) {
      const json = tagValue(f.tag, 'json');
      const proto = tagValue(f.tag, 'protobuf');
      if (json === undefined || json === '-' || proto === undefined) continue;
      const [jsonName = '', ...opts] = json.split(',');
      const inline = opts.includes('inline');
      const pointer = f.goType.startsWith('*');
      const field: GoField = {
        n: Number(proto.split(',')[1]),
        j: inline ? '' : jsonName,
        t: this.resolve(pkg, pointer ? f.goType.slice(1) : f.goType),
      };
      if (pointer) field.p = 1;
      if (opts.includes('omitempty')) field.o = 1;
      const strategy = tagValue(f.tag, 'patchStrategy');
      if (strategy) field.s = strategy;
      const key = tagValue(f.tag, 'patchMergeKey');
      if (key) field.k = key;
      fields.push(field);
    }
    return fields;
  }

  /** A Go type expression → a schema type string; queues every struct it meets. */
  private resolve(pkg: GoPackage, goType: string): string {
    if (goType === '[]byte') return 'bytes';
    if (goType.startsWith('[]')) return `[]${this.resolve(pkg, goType.slice(2))}`;
    const map = /^map\[([\w.]+)\](.+)$/.exec(goType);
    if (map) return `map[${this.resolve(pkg, map[2]!)}]`;
    if (goType.startsWith('*')) return this.resolve(pkg, goType.slice(1));
    const builtin = BUILTIN[goType];
    if (builtin) return builtin;
    const dot = goType.indexOf('.');
    const path = dot < 0 ? pkg.path : pkg.imports.get(goType.slice(0, dot));
    const name = dot < 0 ? goType : goType.slice(dot + 1);
    if (!path) throw new Error(`unknown import in ${goType} (${pkg.id})`);
    const special = SPECIAL[`${path}.${name}`];
    if (special) return special;
    const target = this.byPath.get(path);
    if (!target) throw new Error(`type ${goType} from an unknown package ${path}`);
    if (target.structs.has(name)) {
      const qualified = `${target.id}.${name}`;
      if (!this.out.has(qualified)) this.queue.push(qualified);
      return qualified;
    }
    const underlying = target.named.get(name);
    if (underlying) return this.resolve(target, underlying);
    throw new Error(`cannot resolve ${goType} in ${pkg.id}`);
  }
}

function render(schema: Map<string, GoField[]>): string {
  const head = [
    '// Code generated by generate-go-schema.ts from the Go API types of Kubernetes release-1.32',
    '// (k8s.io/api, k8s.io/apimachinery). DO NOT EDIT: regenerate instead.',
    "import type { GoField } from './go-schema.js';",
    '',
    '/** Every Go API struct reachable from the kinds kjobs serves, fields in declaration order. */',
    'export const GO_STRUCTS: Readonly<Record<string, readonly GoField[]>> = {',
  ];
  const body = [...schema.keys()].sort().map((name) => {
    const fields = schema.get(name)!.map((f) => `    ${JSON.stringify(f).replace(/"(\w)":/g, '$1:')},`);
    return [`  '${name}': [`, ...fields, '  ],'].join('\n');
  });
  return [...head, ...body, '};', ''].join('\n');
}

function main(): void {
  const src = process.argv[2];
  if (!src) throw new Error('usage: generate-go-schema.ts <dir with core.v1/types.go ...>');
  const packages = Object.entries(PACKAGES).map(([path, id]) => parsePackage(id, path, readFileSync(join(src, id, 'types.go'), 'utf8')));
  const schema = new SchemaBuilder(packages).build(ROOTS);
  const target = new URL('./go-schema.generated.ts', import.meta.url);
  writeFileSync(target, render(schema));
  process.stdout.write(`wrote ${schema.size} structs to ${target.pathname}\n`);
}

main();
