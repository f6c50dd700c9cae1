import { GO_STRUCTS } from './go-schema.generated.js';

/**
 * One field of a Kubernetes Go API struct, as generated from its declaration in `types.go`.
 *
 * `t` (the type) is one of: a scalar (`string`, `bool`, `int32`, `int64`, `uint32`, `uint64`, `float`,
 * `double`, `bytes`); a type with its own encoding (`Time`, `MicroTime`, `Duration`, `Quantity`,
 * `IntOrString`, `RawExtension`, `FieldsV1`); a struct name (`core.v1.Container`); `[]<t>` for a
 * list; `map[<t>]` for a map with string keys.
 */
export interface GoField {
  /** Protobuf field number. */
  n: number;
  /** JSON name; '' for an embedded struct whose fields are inlined into the parent's JSON. */
  j: string;
  /** Type, as above. */
  t: string;
  /** 1 when the Go field is a pointer: present on the wire means set, even to 0 / false / "". */
  p?: 1;
  /** 1 when the JSON tag has omitempty. */
  o?: 1;
  /** Strategic-merge-patch strategy: "merge", "replace", "retainKeys" or "merge,retainKeys". */
  s?: string;
  /** Strategic-merge-patch merge key of a list of structs ("name", "containerPort"...). */
  k?: string;
}

/** The Go struct behind each kind kjobs serves, by kind name. */
export const KIND_STRUCTS: Readonly<Record<string, string>> = {
  Job: 'batch.v1.Job',
  CronJob: 'batch.v1.CronJob',
  Pod: 'core.v1.Pod',
  Node: 'core.v1.Node',
  Event: 'core.v1.Event',
  Namespace: 'core.v1.Namespace',
  Service: 'core.v1.Service',
  ConfigMap: 'core.v1.ConfigMap',
  Secret: 'core.v1.Secret',
  ReplicaSet: 'apps.v1.ReplicaSet',
  Lease: 'coordination.v1.Lease',
};

/** The fields of a Go struct in declaration order, or undefined when the name is not a struct. */
export function structFields(name: string): readonly GoField[] | undefined {
  return GO_STRUCTS[name];
}

const jsonIndex = new Map<string, Map<string, GoField>>();

/**
 * The field a JSON key names in a struct, looking through inlined embedded structs (a Volume's
 * `configMap` lives in its inlined VolumeSource). Undefined for keys the struct does not have.
 */
export function fieldByJsonName(structName: string, key: string): GoField | undefined {
  let index = jsonIndex.get(structName);
  if (!index) {
    index = new Map();
    const add = (name: string): void => {
      for (const f of GO_STRUCTS[name] ?? []) {
        if (f.j === '') add(f.t);
        else if (!index!.has(f.j)) index!.set(f.j, f);
      }
    };
    add(structName);
    jsonIndex.set(structName, index);
  }
  return index.get(key);
}

/** Whether a schema type names a struct in the generated table. */
export function isStructType(t: string): boolean {
  return GO_STRUCTS[t] !== undefined;
}
