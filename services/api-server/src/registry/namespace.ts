import { clone } from '../object-meta.js';
import { defineStrategy } from './strategy.js';
import { prepareMainUpdate } from './update-strategy.js';

/** Namespaces: a main-resource update keeps spec.finalizers (only /finalize changes them). */
export const namespaceStrategy = defineStrategy('Namespace', {
  prepareForUpdate: (cur, incoming) => {
    const next = prepareMainUpdate(cur, incoming, { namespaced: false, hasStatus: true });
    const spec = { ...((next.spec as Record<string, unknown> | undefined) ?? {}) };
    const finalizers = (cur.spec as { finalizers?: unknown } | undefined)?.finalizers;
    if (finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = clone(finalizers);
    next.spec = spec;
    return next;
  },
});
