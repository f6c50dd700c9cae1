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
