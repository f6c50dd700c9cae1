/**
 * Looking a path up in an httprouter tree (see tree.ts): the handle and parameters of a route,
 * the trailing-slash recommendation, and the case-insensitive path fixing of `tree.go`.
 */
import { NodeType, type Param, type TreeNode } from './tree-node.js';

const lower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const upperByte = (c: string): string => (c >= 'a' && c <= 'z' ? c.toUpperCase() : c);

/** The handle for `path` below `root` with its params, or a trailing-slash-redirect recommendation. */
export function getValue<H>(root: TreeNode<H>, path: string): { handle: H | undefined; params: Param[]; tsr: boolean } {
   
  let n: TreeNode<H> = root;
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

/** The case-corrected (and optionally trailing-slash-fixed) path, if a route below `root` matches it. */
export function findCaseInsensitivePath<H>(root: TreeNode<H>, path: string, fixTrailingSlash: boolean): { path: string; found: boolean } {
  const [ci, found] = findCaseInsensitivePathRec(root, path, lower(path), '', fixTrailingSlash);
  return { path: ci, found };
}

function findCaseInsensitivePathRec<H>(root: TreeNode<H>, path: string, loPath: string, ciPath: string, fixTrailingSlash: boolean): [string, boolean] {
   
  let n: TreeNode<H> = root;
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
            const [out, found] = findCaseInsensitivePathRec(n.children[i]!, path, loPath, ciPath, fixTrailingSlash);
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
