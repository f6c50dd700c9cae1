import { Command, CommanderError } from 'commander';
import { registerApiResources } from './commands/api-resources.js';
import { registerApply } from './commands/apply.js';
import { registerCompletion, runComplete } from './commands/completion.js';
import { registerCreate } from './commands/create.js';
import { registerDelete } from './commands/delete.js';
import { registerDescribe } from './commands/describe.js';
import { registerGet } from './commands/get.js';
import { registerLogs } from './commands/logs.js';
import { registerPortForward } from './commands/port-forward.js';
import { registerProgress } from './commands/progress.js';
import { registerRerun } from './commands/rerun.js';
import { registerRun } from './commands/run.js';
import { registerSchedule } from './commands/schedule.js';
import { registerToken } from './commands/token.js';
import { registerVersion } from './commands/version.js';
import { registerWait } from './commands/wait.js';
import { registerWhy } from './commands/why.js';
import { exitCodeOf, formatError } from './errors.js';
import { openSession, type CliIO, type GlobalOptions, type Session } from './session.js';

/** What every verb gets from the program. */
export interface ProgramContext {
  io: CliIO;
  /**
   * Run a verb's body with a session built from the global flags; its result is the exit
   * status. Errors are printed kubectl-style and exit 1.
   */
  run(cmd: Command, body: (s: Session) => Promise<number>): Promise<void>;
}

/** Build the `kjobs` commander program; `exit()` reads the status after parsing. */
export function buildProgram(io: CliIO): { program: Command; exitCode: () => number } {
  let code = 0;
  const program = new Command('kjobs');
  program
    .description('kjobs controls a kjobs cluster: Kubernetes-style batch Jobs and CronJobs, kubectl-compatible.')
    .option('--kubeconfig <file>', 'path to the kubeconfig file (default: $KUBECONFIG, $KJOBS_HOME/kubeconfig, ./.kjobs/kubeconfig, ~/.kube/config)')
    .option('-n, --namespace <namespace>', 'the namespace scope for this request')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('-s, --server <url>', 'the address and port of the kjobs api-server')
    .option('--token <token>', 'bearer token for authentication to the api-server')
    .option('--insecure-skip-tls-verify', "don't check the server's certificate (insecure)")
    .option('--request-timeout <duration>', 'how long to wait for one server request before giving up (1s, 2m, 3h; a bare integer is seconds; 0: no timeout)', '0')
    .option('-v, --v <level>', 'log level: 6 and above print each request (GET https://… 200 OK in N milliseconds) on stderr', '0')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showSuggestionAfterError(true)
    .exitOverride();
  program.addHelpText('after', `
Examples:
  # Run the chapter's one-shot Job and follow its log
  kjobs apply -f job-oneshot.yaml && kjobs logs -f job/oneshot

  # Watch a parallel Job's pods, then its completions as a progress bar
  kjobs get pods -w
  kjobs progress job/parallel

  # kjobs extensions (docs/kjobs-extensions.md): wait for the end either way, re-run indexes,
  # and ask what holds a Job
  kjobs wait --for=finished job/parallel && echo all complete
  kjobs rerun job/render --failed
  kjobs why job/parallel

Use "kjobs <command> --help" for more information about a command.`);

  const ctx: ProgramContext = {
    io,
    async run(cmd, body) {
      let session: Session | undefined;
      try {
        session = openSession(io, cmd.optsWithGlobals() as GlobalOptions);
        code = Math.max(code, await body(session));
      } catch (e) {
        io.err(`${formatError(e)}\n`);
        code = Math.max(code, exitCodeOf(e));
      } finally {
        session?.close();
      }
    },
  };
  registerCreate(program, ctx);
  registerApply(program, ctx);
  registerGet(program, ctx);
  registerDescribe(program, ctx);
  registerLogs(program, ctx);
  registerSchedule(program, ctx);
  registerDelete(program, ctx);
  registerWait(program, ctx);
  registerRerun(program, ctx);
  registerWhy(program, ctx);
  registerRun(program, ctx);
  registerPortForward(program, ctx);
  registerProgress(program, ctx);
  registerApiResources(program, ctx);
  registerToken(program, ctx);
  registerVersion(program, ctx);
  registerCompletion(program, ctx);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  return { program, exitCode: () => code };
}

/** Parse `argv` (process.argv shape) and run the verb; resolves with the exit status. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const { program, exitCode } = buildProgram(io);
  // The shell scripts of `kjobs completion` call this on <Tab>: no commander parsing (the words
  // are a partial command line, flags and all).
  if (argv[2] === '__complete') return runComplete(program, io, argv.slice(3));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    io.err(`${formatError(e)}\n`);
    return 1;
  }
  return exitCode();
}
