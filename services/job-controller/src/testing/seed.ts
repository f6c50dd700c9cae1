/**
 * Turning test-fixtures objects into what a client sends the API, and the uids the API assigns
 * back into the fixtures' names, so tests keep asserting on `uid-<pod>` and `job-uid`.
 */
import type { Job, Pod } from '@kjobs/api';
import { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from '../job/constants.js';

/** The fixture Job as a user creates it: no uid, selector or generated labels (the API server adds them). */
export function jobBody(job: Job): Job {
  const labels = { ...job.spec.template.metadata?.labels };
  for (const k of [CONTROLLER_UID_LABEL, LEGACY_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_NAME_LABEL]) delete labels[k];
  const spec = { ...job.spec, template: { ...job.spec.template, metadata: { ...job.spec.template.metadata, labels } } };
  delete spec.selector;
  const { name, namespace, annotations } = job.metadata;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec };
}

/** The fixture pod as a client creates it: name, labels, annotations, owner, finalizers and spec (status written after). */
export function podBody(pod: Pod): Pod {
  const { name, namespace, labels, annotations, ownerReferences, finalizers } = pod.metadata;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels, annotations, ownerReferences, finalizers }, spec: pod.spec };
}

/** A bijection between the uids the API assigned and the fixtures' names for them. */
export class UidNames {
  private readonly toName = new Map<string, string>();
  private readonly toUid = new Map<string, string>();

  add(uid: string, name: string): void {
    if (this.toUid.has(name) && this.toUid.get(name) !== uid) return; // first one wins (a name reused by another object)
    this.toName.set(uid, name);
    this.toUid.set(name, uid);
  }
  /** The real uid of a fixture name (the name itself when unknown). */
  real(name: string): string {
    return this.toUid.get(name) ?? name;
  }
  /** A copy of `v` with every fixture uid string replaced by the real one. */
  toReal<T>(v: T): T {
    return mapStrings(v, (s) => this.toUid.get(s) ?? s);
  }
  /** A copy of `v` with every real uid string replaced by its fixture name. */
  toFixture<T>(v: T): T {
    return mapStrings(v, (s) => this.toName.get(s) ?? s);
  }
}

function mapStrings<T>(v: T, f: (s: string) => string): T {
  if (typeof v === 'string') return f(v) as T;
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)])) as T;
  return v;
}

/** Poll `cond` until it holds (every 2 ms; fails after 15 s with `what`). */
export async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
