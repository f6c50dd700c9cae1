/** One named health check (kube-apiserver's healthz.HealthChecker): true when healthy. */
export interface HealthCheck {
  name: string;
  check(): boolean | Promise<boolean>;
}

/** The outcome of a set of checks, as kube-apiserver prints `/readyz?verbose`. */
export interface CheckReport {
  ok: boolean;
  /** `[+]name ok` / `[-]name failed` lines, then `readyz check passed|failed`. */
  verbose: string;
  /** `ok`, or the failed checks' names. */
  short: string;
}

/** Run every check (a throw counts as failed) and report, labelled `what` (readyz, healthz). */
export async function runChecks(checks: readonly HealthCheck[], what = 'readyz'): Promise<CheckReport> {
  const results = await Promise.all(checks.map(async (c) => {
    try {
      return { name: c.name, ok: await c.check() };
    } catch {
      return { name: c.name, ok: false };
    }
  }));
  return reportOf(results, what);
}

/** The report of check results (pure: runChecks' formatting). */
export function reportOf(results: readonly { name: string; ok: boolean }[], what: string): CheckReport {
  const ok = results.every((r) => r.ok);
  const lines = results.map((r) => `[${r.ok ? '+' : '-'}]${r.name} ${r.ok ? 'ok' : 'failed'}`);
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  return {
    ok,
    verbose: `${[...lines, `${what} check ${ok ? 'passed' : 'failed'}`].join('\n')}\n`,
    short: ok ? 'ok' : `${what} check failed: ${failed.join(', ')}`,
  };
}
