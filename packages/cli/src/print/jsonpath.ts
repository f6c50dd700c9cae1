/**
 * kubectl's JSONPath templates (`-o jsonpath=…`, custom columns): client-go's
 * util/jsonpath evaluated over unstructured JSON, with its printing — each `{…}` prints its
 * results separated by spaces, maps and lists as compact JSON, everything else as Go's `%v`.
 * Maps are walked in sorted key order where Go's order is random (`*`, `..`).
 */
import { goJson, goJsonIndent } from '../go-json.js';
import { goSprint, goTypeName, GoFloat, isGoInt } from './go-value.js';
import { parseJsonPath, type JsonPathNode } from './jsonpath-parse.js';

type ListNode = JsonPathNode & { type: 'list' };

/** Options of a template; kubectl sets both from its flags. */
export interface JsonPathOptions {
  /** A missing field prints nothing instead of failing (`--allow-missing-template-keys`, default true). */
  allowMissingKeys?: boolean;
  /** `-o jsonpath-as-json`: each result list as an indented JSON array. */
  outputJson?: boolean;
}

/** No value at all (client-go's invalid reflect.Value), unlike JSON `null`. */
const MISSING = Symbol('missing');

const isNil = (v: unknown) => v === null || v === undefined || v === MISSING;
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoFloat);

/** A parsed template; `execute` may be called once per object. */
export class JsonPath {
  private readonly root: ListNode;
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEndNode = -1;

  /** Parse `template`; throws client-go's parse error. */
  constructor(template: string, private readonly opts: JsonPathOptions = {}) {
    this.root = parseJsonPath(template);
  }

  /** The printed template for `data`. */
  execute(data: unknown): string {
    return this.findResults(data).map((r) => this.printResults(r)).join('');
  }

  /** Each top-level node's results (one entry per node, per range iteration). */
  findResults(data: unknown): unknown[][] {
    this.beginRange = this.inRange = this.endRange = 0;
    this.lastEndNode = -1;
    return this.find(data, 0);
  }

  /** client-go's FindResults over root.nodes[from:], tracking range/end the way it does. */
  private find(data: unknown, from: number): unknown[][] {
    const nodes = this.root.nodes;
    const full: unknown[][] = [];
    for (let i = from; i < nodes.length; i++) {
      const results = this.walk([data], nodes[i]!);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = i;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length > 0) for (const v of results) full.push(...this.find(v, i + 1));
        else this.find(MISSING, i + 1);
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (k === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private printResults(results: unknown[]): string {
    if (this.opts.outputJson) return `${goJsonIndent(results)}\n`;
    return results.map((r) => (Array.isArray(r) || isMap(r) ? goJson(r) : goSprint(r))).join(' ');
  }

  private walk(input: unknown[], node: JsonPathNode): unknown[] {
    switch (node.type) {
      case 'list':
        return node.nodes.reduce((cur, n) => this.walk(cur, n), input);
      case 'text':
        return [node.text];
      case 'field':
        return this.evalField(input, node.name);
      case 'array':
        return evalArray(input, node.params);
      case 'filter':
        return this.evalFilter(input, node);
      case 'int':
        return input.map(() => node.value);
      case 'float':
        return input.map(() => new GoFloat(node.value));
      case 'bool':
        return input.map(() => node.value);
      case 'wildcard':
        return input.flatMap((v) => (isNil(v) ? [] : childrenOf(v)));
      case 'recursive':
        return evalRecursive(input);
      case 'union':
        return node.nodes.flatMap((list) => this.walk(input, list));
      case 'identifier':
        return this.evalIdentifier(input, node.name);
    }
  }

  private evalField(input: unknown[], name: string): unknown[] {
    const results: unknown[] = [];
    for (const v of input) {
      if (isMap(v) && Object.prototype.hasOwnProperty.call(v, name)) results.push(v[name]);
    }
    if (results.length === 0 && input.length > 0 && !this.opts.allowMissingKeys) throw new Error(`${name} is not found`);
    return results;
  }

  private evalIdentifier(input: unknown[], name: string): unknown[] {
    if (name === 'range') {
      this.beginRange++;
      return input;
    }
    if (name === 'end') {
      if (this.inRange === 0) throw new Error('not in range, nothing to end');
      this.endRange++;
      return [];
    }
    throw new Error(`unrecognized identifier ${name}`);
  }

  private evalFilter(input: unknown[], node: JsonPathNode & { type: 'filter' }): unknown[] {
    const results: unknown[] = [];
    for (const value of input) {
      if (!Array.isArray(value)) throw new Error(`${value === MISSING ? '<invalid reflect.Value>' : goSprint(value)} is not array or slice and cannot be filtered`);
      for (const item of value) {
        let lefts: unknown[];
        try {
          lefts = this.walk([item], node.left);
        } catch (e) {
          if (node.operator === 'exists') continue;
          throw e;
        }
        if (node.operator === 'exists') {
          if (lefts.length > 0) results.push(item);
          continue;
        }
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new Error('can only compare one element at a time');
        const rights = this.walk([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new Error('can only compare one element at a time');
        if (compare(node.operator, lefts[0], rights[0])) results.push(item);
      }
    }
    return results;
  }
}

function evalArray(input: unknown[], nodeParams: (JsonPathNode & { type: 'array' })['params']): unknown[] {
  const result: unknown[] = [];
  for (const value of input) {
    if (isNil(value)) continue;
    if (!Array.isArray(value)) throw new Error(`${goTypeName(value)} is not array or slice`);
    const p = nodeParams.map((x) => ({ ...x }));
    const len = value.length;
    if (!p[0]!.known) p[0]!.value = 0;
    if (p[0]!.value < 0) p[0]!.value += len;
    if (!p[1]!.known) p[1]!.value = len;
    if (p[1]!.value < 0 || (p[1]!.value === 0 && p[1]!.derived)) p[1]!.value += len;
    const [start, end] = [p[0]!.value, p[1]!.value];
    // client-go returns here, dropping the inputs after an empty slice.
    if (start === end) return result;
    if (start >= len || start < 0) throw new Error(`array index out of bounds: index ${start}, length ${len}`);
    if (end > len || end < 0) throw new Error(`array index out of bounds: index ${end - 1}, length ${len}`);
    if (start > end) throw new Error(`starting index ${start} is greater than ending index ${end}`);
    let step = 1;
    if (p[2]!.known) {
      if (p[2]!.value <= 0) throw new Error('step must be > 0');
      step = p[2]!.value;
    }
    for (let i = start; i < end; i += step) result.push(value[i]);
  }
  return result;
}

/** The elements a wildcard or `..` visits: map values, list items, a string's bytes. */
function childrenOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.keys(v).sort().map((k) => v[k]);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  return [];
}

function evalRecursive(input: unknown[]): unknown[] {
  const result: unknown[] = [];
  for (const v of input) {
    if (isNil(v)) continue;
    const children = childrenOf(v);
    if (children.length > 0) result.push(v, ...evalRecursive(children));
  }
  return result;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string';

function basicKind(v: unknown): BasicKind {
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return isGoInt(v) ? 'int' : 'float';
  throw new Error('invalid type for comparison');
}

const plain = (v: unknown) => (v instanceof GoFloat ? v.value : v) as number | string | boolean;

/** The forked text/template comparisons client-go's filters use. */
function compare(op: string, left: unknown, right: unknown): boolean {
  const k1 = basicKind(left);
  const k2 = basicKind(right);
  const equal = () => {
    if (k1 !== k2) throw new Error('incompatible types for comparison');
    return plain(left) === plain(right);
  };
  const less = () => {
    if (k1 !== k2) throw new Error('incompatible types for comparison');
    if (k1 === 'bool') throw new Error('invalid type for comparison');
    return plain(left) < plain(right);
  };
  switch (op) {
    case '==':
      return equal();
    case '!=':
      return !equal();
    case '<':
      return less();
    case '<=':
      return less() || equal();
    case '>':
      return !(less() || equal());
    case '>=':
      return !less();
    default:
      throw new Error(`unrecognized filter operator ${op}`);
  }
}
