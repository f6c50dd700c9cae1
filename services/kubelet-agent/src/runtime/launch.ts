import type { Container } from '@kjobs/api';
import { type Catalog, resolveLaunch } from './catalog.js';
import { findExecutable } from './container-process.js';
import { DEFAULT_PATH, type EnvContext, buildContainerEnv, expandArgv } from './env.js';

/** The outcome of preparing one container run. */
export type PreparedLaunch =
  /** Ready to start under the shim. */
  | { kind: 'run'; argv: [string, ...string[]]; env: Record<string, string>; imageID: string }
  /** Cannot be created (config): the container waits with this reason and is retried later. */
  | { kind: 'waiting'; reason: string; message: string }
  /** The program cannot be executed: the run ends at once as StartError, exit code 128. */
  | { kind: 'start-error'; message: string; imageID: string; env: Record<string, string> };

/**
 * Prepare a run. Does:
 * 1. build the environment (CreateContainerConfigError when a valueFrom cannot be resolved);
 * 2. expand `$(VAR)` in command and args with it, as the kubelet does;
 * 3. map the image through the catalog (CreateContainerConfigError / RunContainerError);
 * 4. check the program can be executed with the container's PATH (StartError like runc's
 *    `exec: "x": executable file not found in $PATH`).
 * Never throws.
 */
export async function prepareLaunch(catalog: Catalog, ctx: EnvContext): Promise<PreparedLaunch> {
  const built = buildContainerEnv(ctx);
  if (!built.ok) return { kind: 'waiting', reason: 'CreateContainerConfigError', message: built.message };
  const env = built.env;
  const c: Container = { ...ctx.container };
  if (c.command) c.command = expandArgv(c.command, env);
  if (c.args) c.args = expandArgv(c.args, env);
  const plan = await resolveLaunch(catalog, c);
  if (plan.kind === 'error') return { kind: 'waiting', reason: plan.reason, message: plan.message };
  const program = plan.argv[0];
  const found = await findExecutable(program, env.PATH ?? DEFAULT_PATH, ctx.podDir);
  if (!found) {
    const why = program.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
    return { kind: 'start-error', message: `exec: "${program}": ${why}`, imageID: plan.imageID, env };
  }
  return { kind: 'run', argv: plan.argv, env, imageID: plan.imageID };
}
