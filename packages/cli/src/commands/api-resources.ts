import type { Command } from 'commander';
import type { ProgramContext } from '../program.js';
import type { Session } from '../session.js';
import { GET_TABWRITER, Tabwriter } from '../print/tabwriter.js';

/** Register `kjobs api-resources`. */
export function registerApiResources(program: Command, ctx: ProgramContext): void {
  program
    .command('api-resources')
    .description('Print the resource types the server serves (names, short names, kinds)')
    .addHelpText('after', `
Examples:
  # Every type with its short names (po, rs, svc, cj, …) and whether it is namespaced
  kjobs api-resources`)
    .action(async (_o: unknown, cmd: Command) => ctx.run(cmd, (s) => runApiResources(s)));
}

/** `kjobs api-resources`: NAME SHORTNAMES APIVERSION NAMESPACED KIND. */
export async function runApiResources(s: Session): Promise<number> {
  const rows = (await s.discovery()).map((r) => [
    r.name, r.shortNames.join(','), r.group ? `${r.group}/${r.version}` : r.version, String(r.namespaced), r.kind,
  ]);
  const text = [['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], ...rows].map((l) => `${l.join('\t')}\n`).join('');
  s.io.out(new Tabwriter(GET_TABWRITER).format(text));
  return 0;
}
