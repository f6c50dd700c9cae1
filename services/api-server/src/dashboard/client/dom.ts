/// <reference lib="dom" />
/**
 * Keyed rows: make a <tbody> show exactly `rows`, in order, touching only rows whose HTML changed,
 * so a burst of watch events over a thousand pods costs a few row updates, not a table rebuild,
 * and focus stays on a button the user is on.
 */
import type { Row } from './views.js';

const rendered = new WeakMap<Element, string>();

/** Update `tbody` to show `rows`; returns how many rows were created or changed. */
export function reconcile(tbody: HTMLElement, rows: Row[]): number {
  const existing = new Map<string, HTMLElement>();
  for (const el of Array.from(tbody.children) as HTMLElement[]) existing.set(el.dataset.key ?? '', el);
  let changed = 0;
  let prev: Element | null = null;
  for (const row of rows) {
    let tr = existing.get(row.key);
    if (tr) existing.delete(row.key);
    else {
      tr = document.createElement('tr');
      tr.dataset.key = row.key;
    }
    if (rendered.get(tr) !== row.html) {
      tr.innerHTML = row.html;
      rendered.set(tr, row.html);
      changed++;
    }
    const want: ChildNode | null = prev ? prev.nextSibling : tbody.firstChild;
    if (want !== tr) tbody.insertBefore(tr, want);
    prev = tr;
  }
  for (const el of existing.values()) el.remove();
  return changed;
}

/** The element with this id (the shell defines every id the client uses). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}
