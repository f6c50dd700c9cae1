/**
 * A line-by-line port of julienschmidt/httprouter v1.2.0 `tree.go` (the router kuard uses), so
 * that route matching, trailing-slash recommendations and case-insensitive path fixing behave
 * exactly as kuard's. Paths are binary strings (one char per byte), like Go strings. The only
 * simplification: case folding in `findCaseInsensitivePath` is ASCII-only (every kuard route is
 * ASCII; non-ASCII bytes can only appear in parameter values, which are copied verbatim).
 */

const enum NodeType {
  Static = 0,
  Root = 1,
  Param = 2,
  CatchAll = 3,
}

/** One route parameter: name from the pattern, value as a binary string. */
export interface Param {
  key: string;
  value: string;
}

function countParams(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path[i] === ':' || path[i] === '*') n++;
  return Math.min(n, 255);
}

const lower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const upperByte = (c: string): string => (c >= 'a' && c <= 'z' ? c.toUpperCase() : c);

/** A radix-tree node; one tree per HTTP method. */
export class Node<H> {
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
     
    let n: Node<H> = this;
    const params: Param[] = [];
    for (;;) {
      if (path.length > n.path.length) {
        if (path.slice(0, n.path.length) !== n.path) break;
        path = path.slice(n.path.length);
        if (!n.wildChild) {
          const c = path[0];
          const idx = n.indices.indexOf(c!);
          if (idx >= 0) {
            n = n.children[idx]!;
            continue;
          }
          return { handle: undefined, params, tsr: path === '/' && n.handle !== undefined };
        }
        n = n.children[0]!;
        if (n.nType === NodeType.Param) {
          let end = 0;
          while (end < path.length && path[end] !== '/') end++;
          params.push({ key: n.path.slice(1), value: path.slice(0, end) });
          if (end < path.length) {
            if (n.children.length > 0) {
              path = path.slice(end);
              n = n.children[0]!;
              continue;
            }
            return { handle: undefined, params, tsr: path.length === end + 1 };
          }
          if (n.handle !== undefined) return { handle: n.handle, params, tsr: false };
          let tsr = false;
          if (n.children.length === 1) {
            const c = n.children[0]!;
            tsr = c.path === '/' && c.handle !== undefined;
          }
          return { handle: undefined, params, tsr };
        }
        // catch-all
        params.push({ key: n.path.slice(2), value: path });
        return { handle: n.handle, params, tsr: false };
      } else if (path === n.path) {
        if (n.handle !== undefined) return { handle: n.handle, params, tsr: false };
        if (path === '/' && n.wildChild && n.nType !== NodeType.Root) return { handle: undefined, params, tsr: true };
        const idx = n.indices.indexOf('/');
        if (idx >= 0) {
          const c = n.children[idx]!;
          const tsr = (c.path.length === 1 && c.handle !== undefined) || (c.nType === NodeType.CatchAll && c.children[0]!.handle !== undefined);
          return { handle: undefined, params, tsr };
        }
        return { handle: undefined, params, tsr: false };
      }
      break;
    }
    // Nothing found: recommend adding a trailing slash if a leaf exists for that path.
    const tsr =
      path === '/' ||
      (n.path.length === path.length + 1 && n.path[path.length] === '/' && path === n.path.slice(0, -1) && n.handle !== undefined);
    return { handle: undefined, params, tsr };
  }

  /** The case-corrected (and optionally trailing-slash-fixed) path, if a route matches it. */
  findCaseInsensitivePath(path: string, fixTrailingSlash: boolean): { path: string; found: boolean } {
    const [ci, found] = this.findCaseInsensitivePathRec(path, lower(path), '', fixTrailingSlash);
    return { path: ci, found };
  }

  private findCaseInsensitivePathRec(path: string, loPath: string, ciPath: string, fixTrailingSlash: boolean): [string, boolean] {
     
    let n: Node<H> = this;
    let loNPath = lower(n.path);
    walk: while (loPath.length >= loNPath.length && (loNPath.length === 0 || loPath.slice(1, loNPath.length) === loNPath.slice(1))) {
      ciPath += n.path;
      path = path.slice(n.path.length);
      if (path.length > 0) {
        loPath = loPath.slice(loNPath.length);
        if (!n.wildChild) {
          const lc = loPath[0]!;
          for (let i = 0; i < n.indices.length; i++) {
            if (n.indices[i] === lc) {
              const [out, found] = n.children[i]!.findCaseInsensitivePathRec(path, loPath, ciPath, fixTrailingSlash);
              if (found) return [out, true];
              break;
            }
          }
          const uc = upperByte(lc);
          if (uc !== lc) {
            for (let i = 0; i < n.indices.length; i++) {
              if (n.indices[i] === uc) {
                n = n.children[i]!;
                loNPath = lower(n.path);
                continue walk;
              }
            }
          }
          return [ciPath, fixTrailingSlash && path === '/' && n.handle !== undefined];
        }
        n = n.children[0]!;
        if (n.nType === NodeType.Param) {
          let k = 0;
          while (k < path.length && path[k] !== '/') k++;
          ciPath += path.slice(0, k);
          if (k < path.length) {
            if (n.children.length > 0) {
              n = n.children[0]!;
              loNPath = lower(n.path);
              loPath = loPath.slice(k);
              path = path.slice(k);
              continue;
            }
            return [ciPath, fixTrailingSlash && path.length === k + 1];
          }
          if (n.handle !== undefined) return [ciPath, true];
          if (fixTrailingSlash && n.children.length === 1) {
            n = n.children[0]!;
            if (n.path === '/' && n.handle !== undefined) return [ciPath + '/', true];
          }
          return [ciPath, false];
        }
        // catch-all
        return [ciPath + path, true];
      }
      if (n.handle !== undefined) return [ciPath, true];
      if (fixTrailingSlash) {
        const idx = n.indices.indexOf('/');
        if (idx >= 0) {
          const c = n.children[idx]!;
          if ((c.path.length === 1 && c.handle !== undefined) || (c.nType === NodeType.CatchAll && c.children[0]!.handle !== undefined)) {
            return [ciPath + '/', true];
          }
          return [ciPath, false];
        }
      }
      return [ciPath, false];
    }
    if (fixTrailingSlash) {
      if (path === '/') return [ciPath, true];
      if (
        loPath.length + 1 === loNPath.length &&
        loNPath[loPath.length] === '/' &&
        loPath.slice(1) === loNPath.slice(1, loPath.length) &&
        n.handle !== undefined
      ) {
        return [ciPath + n.path, true];
      }
    }
    return [ciPath, false];
  }
}
