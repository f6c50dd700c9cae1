/** The shape of an httprouter tree node (see tree.ts), shared by building and lookup. */

export const enum NodeType {
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

/** A radix-tree node's fields, as `node` in `tree.go`. */
export interface TreeNode<H> {
  path: string;
  wildChild: boolean;
  nType: NodeType;
  maxParams: number;
  indices: string;
  children: TreeNode<H>[];
  handle: H | undefined;
  priority: number;
}
