import { badRequest } from '@kjobs/api';

/**
 * Deepest nesting a request body may have. Real objects stay under ~20 levels; the stages after
 * decoding recurse (structuredClone, patches, validation, JSON.stringify: out of stack past a few
 * thousand levels, a 500; the YAML composer: past about a thousand, and it can abort the process).
 * Kubernetes caps decoding depth for the same reason. 100 leaves every stage a wide margin.
 */
export const MAX_BODY_DEPTH = 100;

/**
 * Refuse a decoded body nested deeper than `max` (400). Iterative, so the check itself cannot
 * overflow whatever it is given.
 */
export function assertBodyDepth(body: unknown, max = MAX_BODY_DEPTH): void {
  if (body === null || typeof body !== 'object') return;
  const stack: [unknown, number][] = [[body, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) throw badRequest(`the request body is nested more than ${max} levels deep`);
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}
