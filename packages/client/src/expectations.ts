/**
 * Controller expectations (client-go ControllerExpectations): before creating or deleting N
 * children, a controller records that it expects to see N adds / deletes through its informer.
 * Until they are observed (or the record expires), a sync must not act again on a cache that does
 * not yet show its own writes — that is what stops double creation.
 */
export class Expectations {
  private readonly m = new Map<string, { add: number; del: number; at: number }>();
  constructor(private readonly ttlMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  expect(key: string, adds: number, dels: number): void {
    this.m.set(key, { add: adds, del: dels, at: this.now() });
  }
  raise(key: string, adds: number, dels: number): void {
    const e = this.m.get(key) ?? { add: 0, del: 0, at: this.now() };
    e.add += adds;
    e.del += dels;
    e.at = this.now();
    this.m.set(key, e);
  }
  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e) e.add--;
  }
  deletionObserved(key: string): void {
    const e = this.m.get(key);
    if (e) e.del--;
  }
  /** True when nothing is pending for the key (or the record expired). */
  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if ((e.add <= 0 && e.del <= 0) || this.now() - e.at > this.ttlMs) return true;
    return false;
  }
  delete(key: string): void {
    this.m.delete(key);
  }
}

/**
 * Uid expectations (Kubernetes' uidTrackingExpectations): per controller key, the uids of children
 * whose change (the Job controller: removal of a pod's tracking finalizer) was sent but not yet
 * seen in the cache. Until the informer shows the change, a sync treats those children as changed
 * already and never acts on them again.
 */
export class UidExpectations {
  private readonly m = new Map<string, Set<string>>();

  /**
   * A copy, as Kubernetes' getExpectedUIDs clones, taken before the children are read: a sync
   * pairs it with the children it read. Were it the live set, or taken after the children, a
   * change observed meanwhile would drop the uid while the sync's snapshot still shows the old
   * child, and the sync would act on it a second time (the Job controller counted a pod twice:
   * 2,000 succeeded from ~1,960 pods in `npm run bench -- jobs`).
   */
  expectedUids(key: string): ReadonlySet<string> {
    return new Set(this.m.get(key));
  }
  /** Record the uids before sending their changes (the informer may show a change before the write returns). */
  expectUids(key: string, uids: readonly string[]): void {
    let s = this.m.get(key);
    if (!s) this.m.set(key, (s = new Set()));
    for (const u of uids) s.add(u);
  }
  /** The informer showed the change (or the child is gone, or the write failed): stop expecting it. */
  observed(key: string, uid: string): void {
    const s = this.m.get(key);
    if (s?.delete(uid) && s.size === 0) this.m.delete(key);
  }
  /** Forget everything about the key (its controller object was deleted). */
  delete(key: string): void {
    this.m.delete(key);
  }
}
