/**
 * A line-by-line port of julienschmidt/httprouter v1.2.0 `tree.go` (the router kuard uses), so
 * that route matching, trailing-slash recommendations and case-insensitive path fixing behave
 * exactly as kuard's. Paths are binary strings (one char per byte), like Go strings. The only
 * simplification: case folding in `findCaseInsensitivePath` is ASCII-only (every kuard route is
 * ASCII; non-ASCII bytes can only appear in parameter values, which are copied verbatim).
 */
import { findCaseInsensitivePath, getValue } from './tree-lookup.js';
import { NodeType, type Param, type TreeNode } from './tree-node.js';

export type { Param } from './tree-node.js';

function countParams(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path[i] === ':' || path[i] === '*') n++;
  return Math.min(n, 255);
}

/** A radix-tree node; one tree per HTTP method. */
export class Node<H> implements TreeNode<H> {
  path = '';
  wildChild = false;
  nType: NodeType = NodeType.Static;
  maxParams = 0;
  indices = '';
  children: Node<H>[] = [];
  handle: H | undefined = undefined;
  priority = 0;

  private incrementChildPrio(pos: number): number {
    const child = this.children[pos]!;
    child.priority++;
    const prio = child.priority;
    let newPos = pos;
    while (newPos > 0 && this.children[newPos - 1]!.priority < prio) {
      [this.children[newPos - 1], this.children[newPos]] = [this.children[newPos]!, this.children[newPos - 1]!];
      newPos--;
    }
    if (newPos !== pos) {
      this.indices = this.indices.slice(0, newPos) + this.indices[pos] + this.indices.slice(newPos, pos) + this.indices.slice(pos + 1);
    }
    return newPos;
  }

  /** Register `handle` for `path`; throws on conflicts as httprouter panics. */
  addRoute(path: string, handle: H): void {
    const fullPath = path;
     
    let n: Node<H> = this;
    n.priority++;
    let numParams = countParams(path);

    if (n.path.length === 0 && n.children.length === 0) {
      n.insertChild(numParams, path, fullPath, handle);
      n.nType = NodeType.Root;
      return;
    }
    walk: for (;;) {
      if (numParams > n.maxParams) n.maxParams = numParams;
      let i = 0;
      const max = Math.min(path.length, n.path.length);
      while (i < max && path[i] === n.path[i]) i++;

      // Split edge
      if (i < n.path.length) {
        const child = new Node<H>();
        child.path = n.path.slice(i);
        child.wildChild = n.wildChild;
        child.nType = NodeType.Static;
        child.indices = n.indices;
        child.children = n.children;
        child.handle = n.handle;
        child.priority = n.priority - 1;
        for (const c of child.children) if (c.maxParams > child.maxParams) child.maxParams = c.maxParams;
        n.children = [child];
        n.indices = n.path[i]!;
        n.path = path.slice(0, i);
        n.handle = undefined;
        n.wildChild = false;
      }

      if (i < path.length) {
        path = path.slice(i);
        if (n.wildChild) {
          n = n.children[0]!;
          n.priority++;
          if (numParams > n.maxParams) n.maxParams = numParams;
          numParams--;
          if (
            path.length >= n.path.length &&
            n.path === path.slice(0, n.path.length) &&
            (n.path.length >= path.length || path[n.path.length] === '/')
          ) {
            continue walk;
          }
          const pathSeg = n.nType === NodeType.CatchAll ? path : path.split('/')[0]!;
          throw new Error(`'${pathSeg}' in new path '${fullPath}' conflicts with existing wildcard '${n.path}'`);
        }
        const c = path[0]!;
        if (n.nType === NodeType.Param && c === '/' && n.children.length === 1) {
          n = n.children[0]!;
          n.priority++;
          continue walk;
        }
        for (let j = 0; j < n.indices.length; j++) {
          if (c === n.indices[j]) {
            j = n.incrementChildPrio(j);
            n = n.children[j]!;
            continue walk;
          }
        }
        if (c !== ':' && c !== '*') {
          n.indices += c;
          const child = new Node<H>();
          child.maxParams = numParams;
          n.children.push(child);
          n.incrementChildPrio(n.indices.length - 1);
          n = child;
        }
        n.insertChild(numParams, path, fullPath, handle);
        return;
      } else if (i === path.length) {
        if (n.handle !== undefined) throw new Error(`a handle is already registered for path '${fullPath}'`);
        n.handle = handle;
      }
      return;
    }
  }

  private insertChild(numParams: number, path: string, fullPath: string, handle: H): void {
    let offset = 0;
     
    let n: Node<H> = this;
    const max = path.length;
    for (let i = 0; numParams > 0; i++) {
      const c = path[i];
      if (c !== ':' && c !== '*') continue;
      let end = i + 1;
      while (end < max && path[end] !== '/') {
        if (path[end] === ':' || path[end] === '*') throw new Error(`only one wildcard per path segment is allowed in '${fullPath}'`);
        end++;
      }
      if (n.children.length > 0) throw new Error(`wildcard route '${path.slice(i, end)}' conflicts with existing children in '${fullPath}'`);
      if (end - i < 2) throw new Error(`wildcards must be named with a non-empty name in path '${fullPath}'`);

      if (c === ':') {
        if (i > 0) {
          n.path = path.slice(offset, i);
          offset = i;
        }
        const child = new Node<H>();
        child.nType = NodeType.Param;
        child.maxParams = numParams;
        n.children = [child];
        n.wildChild = true;
        n = child;
        n.priority++;
        numParams--;
        if (end < max) {
          n.path = path.slice(offset, end);
          offset = end;
          const next = new Node<H>();
          next.maxParams = numParams;
          next.priority = 1;
          n.children = [next];
          n = next;
        }
      } else {
        if (end !== max || numParams > 1) throw new Error(`catch-all routes are only allowed at the end of the path in '${fullPath}'`);
        if (n.path.length > 0 && n.path[n.path.length - 1] === '/') {
          throw new Error(`catch-all conflicts with existing handle for the path segment root in '${fullPath}'`);
        }
        i--;
        if (path[i] !== '/') throw new Error(`no / before catch-all in path '${fullPath}'`);
        n.path = path.slice(offset, i);
        const child = new Node<H>();
        child.wildChild = true;
        child.nType = NodeType.CatchAll;
        child.maxParams = 1;
        n.children = [child];
        n.indices = path[i]!;
        n = child;
        n.priority++;
        const leaf = new Node<H>();
        leaf.path = path.slice(i);
        leaf.nType = NodeType.CatchAll;
        leaf.maxParams = 1;
        leaf.handle = handle;
        leaf.priority = 1;
        n.children = [leaf];
        return;
      }
    }
    n.path = path.slice(offset);
    n.handle = handle;
  }

  /** The handle for `path` with its params, or a trailing-slash-redirect recommendation. */
  getValue(path: string): { handle: H | undefined; params: Param[]; tsr: boolean } {
    return getValue(this, path);
  }

  /** The case-corrected (and optionally trailing-slash-fixed) path, if a route matches it. */
  findCaseInsensitivePath(path: string, fixTrailingSlash: boolean): { path: string; found: boolean } {
    return findCaseInsensitivePath(this, path, fixTrailingSlash);
  }
}
