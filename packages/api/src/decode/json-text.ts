/**
 * A JSON parser that keeps what `JSON.parse` throws away and kube-apiserver's decoder looks at:
 * keys given twice (strict field validation reports them), the exact text of number literals that
 * a JS number does not hold (9007199254740993, 1.0, 1e3: an int32 or int64 field must refuse them
 * by their text), and where each key sits (so findings come out in document order). Syntax errors
 * carry the messages of Go's encoding/json, which kube-apiserver passes on.
 */

/** A key given more than once in one object: its path (`spec.template.spec.containers[0].image`) and the offset of the repeat. */
export interface DuplicateKey {
  path: string;
  offset: number;
}

/** What a parse learned besides the value. */
export interface DecodeFacts {
  /** Repeated keys, in document order. */
  duplicates: DuplicateKey[];
  /** holder (object or array) → key → the literal text of a number that is not a plain safe integer. */
  numbers: WeakMap<object, Map<string, string>>;
  /** holder object → key → offset of the key's first occurrence. */
  keyOffsets: WeakMap<object, Map<string, number>>;
}

/** A malformed JSON text, with Go's encoding/json wording (`invalid character '}' after object key`). */
export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** A JSON text nested deeper than the parser was allowed to go (checked while parsing: no stack overflow). */
export class JsonTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`the request body is nested more than ${maxDepth} levels deep`);
    this.name = 'JsonTooDeepError';
  }
}

/** Empty facts (a body that did not come from text: NATS requests, protobuf). */
export function emptyFacts(): DecodeFacts {
  return { duplicates: [], numbers: new WeakMap(), keyOffsets: new WeakMap() };
}

/** Parse JSON text as `JSON.parse` does (last duplicate wins), also returning the facts above. */
export function parseJsonText(text: string, opts: { maxDepth?: number } = {}): { value: unknown; facts: DecodeFacts } {
  const p = new Parser(text, opts.maxDepth ?? Infinity);
  const value = p.parseTop();
  return { value, facts: p.facts };
}

/** A JSON path in Kubernetes' format: keys joined by dots, list indexes in brackets. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** Go's quoteChar: how encoding/json names a character in a syntax error. */
export function goQuoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1).replace(/\\u00([0-9a-f]{2})/g, '\\x$1')}'`;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const PLAIN_INT = /^-?\d+$/;

class Parser {
  readonly facts = emptyFacts();
  private i = 0;
  private readonly path: (string | number)[] = [];
  private depth = 0;

  constructor(private readonly s: string, private readonly maxDepth: number) {}

  private enter(): void {
    if (++this.depth > this.maxDepth) throw new JsonTooDeepError(this.maxDepth);
  }

  parseTop(): unknown {
    this.skipWs();
    const v = this.parseValue(undefined, '');
    this.skipWs();
    if (this.i < this.s.length) this.fail('after top-level value');
    return v;
  }

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new JsonSyntaxError('unexpected end of JSON input', this.i);
    throw new JsonSyntaxError(`invalid character ${goQuoteChar(this.s[this.i]!)} ${context}`, this.i);
  }

  private skipWs(): void {
    while (this.i < this.s.length && WS.has(this.s[this.i]!)) this.i++;
  }

  private parseValue(holder: object | undefined, key: string): unknown {
    const c = this.s[this.i];
    switch (c) {
      case '{': return this.parseObject();
      case '[': return this.parseArray();
      case '"': return this.parseString();
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'n': return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber(holder, key);
        return this.fail('looking for beginning of value');
    }
  }

  private literal(word: string, value: unknown): unknown {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${goQuoteChar(word[k]!)})`);
    }
    return value;
  }

  private parseNumber(holder: object | undefined, key: string): number {
    const start = this.i;
    const s = this.s;
    const digit = (): boolean => this.i < s.length && s[this.i]! >= '0' && s[this.i]! <= '9';
    if (s[this.i] === '-') {
      this.i++;
      if (!digit()) this.fail('in numeric literal');
    }
    if (s[this.i] === '0') this.i++;
    else while (digit()) this.i++;
    if (s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    const text = s.slice(start, this.i);
    const n = Number(text);
    if (holder && (!PLAIN_INT.test(text) || !Number.isSafeInteger(n))) {
      let m = this.facts.numbers.get(holder);
      if (!m) this.facts.numbers.set(holder, (m = new Map()));
      m.set(key, text);
    }
    return n;
  }

  private parseString(): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('in string literal');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      this.i++;
      const e = s[this.i];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.i++;
      } else if (e === 'u') {
        this.i++;
        for (let k = 0; k < 4; k++) {
          if (!/[0-9a-fA-F]/.test(s[this.i + k] ?? '')) {
            this.i += k;
            this.fail('in \\u hexadecimal character escape');
          }
        }
        out += String.fromCharCode(parseInt(s.slice(this.i, this.i + 4), 16));
        this.i += 4;
      } else {
        this.fail('in string escape code');
      }
      run = this.i;
    }
  }

  private parseObject(): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const offsets = new Map<string, number>();
    this.facts.keyOffsets.set(obj, offsets);
    this.enter();
    this.i++;
    this.skipWs();
    if (this.s[this.i] === '}') {
      this.i++;
      this.depth--;
      return obj;
    }
    for (;;) {
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const at = this.i;
      const key = this.parseString();
      this.skipWs();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      this.skipWs();
      this.path.push(key);
      if (offsets.has(key)) this.facts.duplicates.push({ path: formatPath(this.path), offset: at });
      else offsets.set(key, at);
      const v = this.parseValue(obj, key);
      this.path.pop();
      // "__proto__" is an own property in JSON.parse's result too; assignment would set the prototype.
      if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
      if (this.closes('}', 'after object key:value pair')) return obj;
    }
  }

  private parseArray(): unknown[] {
    const arr: unknown[] = [];
    this.enter();
    this.i++;
    this.skipWs();
    if (this.s[this.i] === ']') {
      this.i++;
      this.depth--;
      return arr;
    }
    for (;;) {
      this.path.push(arr.length);
      arr.push(this.parseValue(arr, String(arr.length)));
      this.path.pop();
      if (this.closes(']', 'after array element')) return arr;
    }
  }

  /**
   * After a member or element: a comma goes on (false), `close` ends the object or array (true);
   * anything else is Go's syntax error `where`.
   */
  private closes(close: '}' | ']', where: string): boolean {
    this.skipWs();
    const c = this.s[this.i];
    if (c === ',') {
      this.i++;
      this.skipWs();
      return false;
    }
    if (c === close) {
      this.i++;
      this.depth--;
      return true;
    }
    return this.fail(where);
  }
}
