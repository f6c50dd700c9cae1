/**
 * `npm run bench -- NAME`: runs bench/NAME.ts (its exported `run()`), which prints a table and one
 * final JSON line, each figure beside a floor or baseline measured in the same run.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installInterruptHandler } from './support/util.js';

const dir = path.dirname(fileURLToPath(import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.replace(/\.ts$/, ''));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <${names.join('|')}>`);
  process.exit(2);
}
installInterruptHandler();
const mod = (await import(path.join(dir, `${name}.ts`))) as { run: () => Promise<void> };
await mod.run();
process.exit(0);
