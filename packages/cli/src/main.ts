/**
 * `kjobs` entry point: the only file that touches the process (argv, environment, streams,
 * signals). Everything else takes a CliIO, so commands can run in tests without a process.
 */
import os from 'node:os';
import { shouldColor } from './print/color.js';
import { runCli } from './program.js';
import type { CliIO } from './session.js';

const interruptHandlers = new Set<() => void>();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  // Commands that stream (watch, logs -f, port-forward) stop cleanly; others, or a second
  // Ctrl-C, end at once with the conventional status.
  if (interruptHandlers.size === 0 || interrupts > 1) process.exit(130);
  for (const h of [...interruptHandlers]) h();
});
// A closed pipe (`kjobs get pods -w | head`) ends the program quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

const io: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTTY: !!process.stdout.isTTY,
  columns: process.stdout.columns || Number(process.env.COLUMNS) || 80,
  color: shouldColor(!!process.stdout.isTTY, process.env),
  env: process.env,
  cwd: process.cwd(),
  home: os.homedir(),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  now: () => new Date(),
  pid: process.pid,
  onInterrupt: (h) => {
    interruptHandlers.add(h);
    return () => interruptHandlers.delete(h);
  },
};

const code = await runCli(process.argv, io);
// Let stdout drain, then exit: keep-alive sockets or a finished watch must not keep us alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
