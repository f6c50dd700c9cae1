import { groupVersion, type KList, type KObject, type ListMeta, type ResourceInfo } from '@kjobs/api';
import { decodeObject, type StoredJson } from '@kjobs/store';
import { withKind } from './object-checks.js';

/**
 * A list answered from the objects' stored JSON (Store.listJson). Read as a KList it is one:
 * `items` decodes every object on first use (a Table, the server's own callers). Sent as JSON,
 * `json()` splices each object's resourceVersion into its stored text instead of decoding and
 * re-encoding it: a page of 500 pods costs a string join, not 500 JSON.parse and stringify calls
 * (bench list: docs/benchmarks.md, "How cost grows").
 */
export class JsonList implements KList {
  readonly apiVersion: string;
  readonly kind: string;
  declare items: KObject[];
  private decoded?: KObject[];

  constructor(private readonly res: ResourceInfo, readonly metadata: ListMeta, private readonly stored: StoredJson[]) {
    this.apiVersion = groupVersion(res);
    this.kind = res.listKind;
    // An own enumerable property, so spreading or JSON.stringify of the list sees the objects too.
    Object.defineProperty(this, 'items', { enumerable: true, get: () => (this.decoded ??= this.stored.map((s) => itemOf(this.res, s))) });
  }

  /** The list as JSON text: the value JSON.stringify of it gives (each item's resourceVersion first in its metadata). */
  json(): string {
    return this.encode().toString('utf8');
  }

  /**
   * The list as UTF-8 JSON, between `open` and `close` (a reply envelope): the pieces — the head,
   * each stored body's splice point and the rest of it — are written into one Buffer of their
   * exact length, not joined into a string first (a page of 500 pods: one 1 MB copy instead of
   * a cons-string join, its flattening and a UTF-8 encode of the whole; bench list).
   */
  encode(open = '', close = ''): Buffer {
    const head = `${open}{"apiVersion":${JSON.stringify(this.apiVersion)},"kind":${JSON.stringify(this.kind)},"metadata":${JSON.stringify(this.metadata)},"items":[`;
    const tail = `]}${close}`;
    if (this.decoded) return Buffer.from(`${head}${this.decoded.map((o) => JSON.stringify(o)).join(',')}${tail}`);
    const prefix = `{"apiVersion":${JSON.stringify(this.apiVersion)},"kind":${JSON.stringify(this.res.kind)},"metadata":{`;
    const pieces: string[] = [head];
    for (const [i, s] of this.stored.entries()) {
      if (i > 0) pieces.push(',');
      // encodeBody writes apiVersion, kind and metadata first; any other body (an older layout, a
      // kind stored under another version) is decoded and given its kind as `items` would.
      if (!s.body.startsWith(prefix)) {
        pieces.push(JSON.stringify(itemOf(this.res, s)));
        continue;
      }
      const rest = s.body.slice(prefix.length);
      pieces.push(`${prefix}"resourceVersion":${JSON.stringify(s.rv)}${rest.startsWith('}') ? '' : ','}`, rest);
    }
    pieces.push(tail);
    let bytes = 0;
    for (const p of pieces) bytes += Buffer.byteLength(p);
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const p of pieces) at += out.write(p, at);
    return out;
  }

  toJSON(): KList {
    return { apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata, items: this.items };
  }
}

function itemOf(res: ResourceInfo, s: StoredJson): KObject {
  return withKind(res, decodeObject(s.body, s.rv));
}
