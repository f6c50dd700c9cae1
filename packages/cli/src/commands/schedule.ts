import type { Command } from 'commander';
import { nextFireTimes, rfc3339, ScheduleError, type CronJob } from '@kjobs/api';
import { CliError } from '../errors.js';
import type { ProgramContext } from '../program.js';
import { objectPath, resolveResource } from '../resources.js';
import type { Session } from '../session.js';

const EXAMPLES = `
Examples:
  # When will the chapter's CronJob run next?
  kjobs schedule cronjob/example-cron

  # Preview any schedule (no cluster needed), in a time zone
  kjobs schedule --cron "30 2 * * *" --time-zone America/New_York -c 3`;

/**
 * `kjobs schedule`: the next fire times of a CronJob or a schedule string — Kubernetes has no
 * preview, and "when does this run?" is the first question about a CronJob.
 */
export function registerSchedule(program: Command, ctx: ProgramContext): void {
  program
    .command('schedule')
    .description('Show the next times a CronJob (or a cron schedule) fires, in its time zone')
    .argument('[cronjob]', 'cronjob/NAME or NAME')
    .option('--cron <schedule>', 'preview this schedule instead of a CronJob (5 fields or @daily …)')
    .option('--time-zone <zone>', 'IANA time zone for --cron (default UTC)')
    .option('-c, --count <n>', 'how many fire times', '5')
    .addHelpText('after', EXAMPLES)
    .action(async (arg: string | undefined, o: { cron?: string; timeZone?: string; count: string }, cmd: Command) => {
      const count = Number(o.count);
      if (!Number.isInteger(count) || count < 1 || count > 1000) {
        ctx.io.err('error: --count must be a whole number from 1 to 1000\n');
        process.exitCode = 1;
        return;
      }
      if (o.cron) {
        try {
          ctx.io.out(formatTimes(o.cron, o.timeZone, ctx.io.now(), count));
        } catch (e) {
          ctx.io.err(`error: ${e instanceof ScheduleError ? e.message : String(e)}\n`);
          process.exitCode = 1;
        }
        return;
      }
      if (!arg) {
        ctx.io.err('error: name a CronJob (cronjob/NAME) or give --cron "<schedule>"\n');
        process.exitCode = 1;
        return;
      }
      await ctx.run(cmd, (s) => runSchedule(s, arg, count));
    });
}

async function runSchedule(s: Session, arg: string, count: number): Promise<number> {
  const [type, name] = arg.includes('/') ? (arg.split('/', 2) as [string, string]) : ['cronjob', arg];
  const r = resolveResource(type, await s.discovery());
  if (!r || r.kind !== 'CronJob') throw new CliError(`schedule works on CronJobs only, not "${type}"`);
  const cj = (await s.rest.request('GET', objectPath(r, s.namespace, name))) as CronJob;
  const zone = cj.spec.timeZone;
  s.io.out(`cronjob.batch/${name}: "${cj.spec.schedule}"${zone ? ` in ${zone}` : ' (UTC)'}${cj.spec.suspend ? ' — suspended: nothing will run until it is resumed' : ''}\n`);
  try {
    s.io.out(formatTimes(cj.spec.schedule, zone, s.io.now(), count));
  } catch (e) {
    throw new CliError(e instanceof ScheduleError ? e.message : String(e));
  }
  return 0;
}

/** One line per fire time: the time in the schedule's zone, in UTC, and how far away. */
export function formatTimes(schedule: string, zone: string | undefined, now: Date, count: number): string {
  const times = nextFireTimes(schedule, zone, now, count);
  if (!times.length) return 'no fire time in the next five years\n';
  return times.map((t) => `${localTime(t, zone ?? 'UTC')}   ${rfc3339(t)}   in ${until(t.getTime() - now.getTime())}\n`).join('');
}

/** `2026-03-09 02:30:00 -04:00`: wall-clock time in the zone with its UTC offset. */
function localTime(t: Date, zone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'shortOffset',
  }).formatToParts(t).map((p) => [p.type, p.value]));
  const m = /GMT([+-])?(\d+)?(?::(\d+))?/.exec(parts.timeZoneName ?? 'GMT');
  const offset = `${m?.[1] ?? '+'}${(m?.[2] ?? '0').padStart(2, '0')}:${(m?.[3] ?? '0').padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

function until(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, !d && !h && `${s % 60}s`].filter(Boolean);
  return parts.join('');
}
