import type { Command } from 'commander';
import type { Job, KObject } from '@kjobs/api';
import { CliError } from '../errors.js';
import {
  isFinished, jobProgress, progressKey, renderProgressBar, renderProgressLine, type JobProgress,
} from '../print/progress.js';
import type { ProgramContext } from '../program.js';
import { objectPath, resolveResource, type ApiResource } from '../resources.js';
import { interruptSignal, type Session } from '../session.js';
import { watchUntil } from '../watch.js';

const CLEAR_LINE = '\r\x1b[K';

const EXAMPLES = `
Examples:
  # A live bar of the parallel Job's completions (plain lines when not on a terminal)
  kjobs progress job/parallel

  # Exit status tells how it ended: 0 Complete, 1 Failed
  kjobs progress parallel && echo done`;

/** Register `kjobs progress`. */
export function registerProgress(program: Command, ctx: ProgramContext): void {
  program
    .command('progress')
    .description("Show a Job's completions as a live progress bar until it finishes (exit 0 when Complete, 1 when Failed)")
    .argument('<job>', 'job/NAME or NAME')
    .addHelpText('after', EXAMPLES)
    .action(async (job: string, _o: unknown, cmd: Command) => ctx.run(cmd, (s) => runProgress(s, job)));
}

async function jobResource(s: Session): Promise<ApiResource> {
  const r = resolveResource('jobs', await s.discovery());
  if (!r) throw new CliError('the server doesn\'t have a resource type "jobs"');
  return r;
}

/** `kjobs progress job/NAME`: watch the Job until Complete (0) or Failed (1). */
export async function runProgress(s: Session, arg: string): Promise<number> {
  const [type, name] = arg.includes('/') ? arg.split('/', 2) as [string, string] : ['job', arg];
  const r = await jobResource(s);
  if (resolveResource(type, await s.discovery()) !== r) throw new CliError(`progress works on Jobs only, not "${type}"`);
  await s.rest.request('GET', objectPath(r, s.namespace, name));
  const { signal, dispose } = interruptSignal(s.io);
  const tty = s.io.isTTY;
  let last: JobProgress | undefined;
  let lastKey = '';
  const draw = () => {
    if (!last) return;
    if (tty) s.io.out(`${CLEAR_LINE}${renderProgressBar(last, s.io.now().getTime(), { columns: s.io.columns, color: s.io.color })}`);
  };
  const tick = tty ? setInterval(draw, 1000) : undefined;
  try {
    const done = await watchUntil(s.rest, r, { namespace: s.namespace, fieldSelector: `metadata.name=${name}` }, (objects) => {
      const job = objects.get(`${s.namespace}/${name}`) as Job | undefined;
      if (!job) {
        if (last) throw new CliError(`job.batch "${name}" was deleted`);
        return undefined;
      }
      last = jobProgress(job);
      if (tty) draw();
      else if (progressKey(last) !== lastKey) s.io.out(`${renderProgressLine(last, s.io.now().getTime())}\n`);
      lastKey = progressKey(last);
      return isFinished(last) ? last : undefined;
    }, undefined, signal).catch((e) => {
      if (signal.aborted) return undefined;
      throw e;
    });
    if (tty && last) s.io.out('\n');
    if (!done) return 130;
    return done.state === 'Complete' ? 0 : 1;
  } finally {
    clearInterval(tick);
    dispose();
  }
}

/**
 * A progress bar kept on the last line of a terminal while other output (watch rows) is
 * printed above it: `printAbove` clears the bar, writes, and redraws it.
 */
export class LiveJobProgress {
  private p: JobProgress | undefined;
  private drawn = false;
  private tick: NodeJS.Timeout | undefined;
  private readonly ac = new AbortController();

  constructor(private readonly s: Session, private readonly r: ApiResource, private readonly ns: string, private readonly name: string, signal: AbortSignal) {
    signal.addEventListener('abort', () => this.ac.abort(), { once: true });
  }

  /** Start following the Job (in the background) and redraw every second. */
  async start(): Promise<void> {
    this.tick = setInterval(() => this.draw(), 1000);
    void watchUntil(this.s.rest, this.r, { namespace: this.ns, fieldSelector: `metadata.name=${this.name}` }, (objects) => {
      const job = objects.get(`${this.ns}/${this.name}`) as KObject | undefined;
      if (job) {
        this.p = jobProgress(job as Job);
        this.draw();
      }
      return undefined;
    }, undefined, this.ac.signal).catch(() => undefined);
  }

  /** Print `text` above the bar. */
  printAbove(text: string): void {
    if (!text) return;
    this.s.io.out(this.drawn ? `${CLEAR_LINE}${text}` : text);
    this.drawn = false;
    this.draw();
  }

  private draw(): void {
    if (!this.p) return;
    this.s.io.out(`${CLEAR_LINE}${renderProgressBar(this.p, this.s.io.now().getTime(), { columns: this.s.io.columns, color: this.s.io.color })}`);
    this.drawn = true;
  }

  /** Stop following; leave the last bar on its own line. */
  stop(): void {
    clearInterval(this.tick);
    this.ac.abort();
    if (this.drawn) this.s.io.out('\n');
    this.drawn = false;
  }
}
