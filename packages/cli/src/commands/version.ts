import type { Command } from 'commander';
import type { ProgramContext } from '../program.js';
import type { Session } from '../session.js';

/** The version this CLI reports as its client version. */
export const CLIENT_VERSION = 'v1.32.0-kjobs';

/** Register `kjobs version`. */
export function registerVersion(program: Command, ctx: ProgramContext): void {
  program
    .command('version')
    .description('Print the client and server versions')
    .option('--client', 'only the client version (no server needed)')
    .addHelpText('after', `
Examples:
  # Which api-server am I talking to?
  kjobs version

  # Without a cluster
  kjobs version --client`)
    .action(async (o: { client?: boolean }, cmd: Command) => {
      if (o.client) {
        ctx.io.out(`Client Version: ${CLIENT_VERSION}\n`);
        return;
      }
      await ctx.run(cmd, (s) => runVersion(s));
    });
}

/** `kjobs version`: client version, then the server's `/version` gitVersion. */
export async function runVersion(s: Session): Promise<number> {
  s.io.out(`Client Version: ${CLIENT_VERSION}\n`);
  const v = await s.rest.request<{ gitVersion?: string }>('GET', '/version');
  s.io.out(`Server Version: ${v?.gitVersion ?? 'unknown'}\n`);
  return 0;
}
