import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { shimFile } from './layout.js';

/**
 * The container shim, a POSIX sh script. The agent starts `sh <shim> <exit file> <program> <args…>`
 * as the leader of a new process group; the shim
 * 1. starts the program in the background (same process group; stdout/stderr are the log file
 *    the agent passed as fds, so logs survive an agent crash);
 * 2. forwards SIGTERM, SIGINT and SIGHUP to it (POSIX makes background commands of a
 *    non-interactive shell ignore SIGINT unless they install a handler), once it has exec'd;
 * 3. waits for it and writes its exit status (128+n after signal n) to the exit file with
 *    write-then-rename, then exits with the same status.
 * A restarted agent, no longer the shim's parent, learns the exit status from the file.
 */
export const SHIM_SCRIPT = `#!/bin/sh
# kjobs container shim: usage: kjobs-shim.sh EXIT_FILE PROGRAM [ARG...]
exit_file=$1
shift
child=
got=0
early=
# Traps are set before the program starts so no signal is lost; one that arrives before
# the program exists is remembered and forwarded as soon as it does.
forward() {
  got=1
  if [ -n "$child" ]; then send "$1"; else early=$1; fi
}
# A child forked but not yet exec'd still runs this shell's handlers, and a signal it takes
# then is lost with them at the exec: wait (up to 2 s) until it is the program, i.e. its command
# line is no longer this shell's.
send() {
  self=$(tr '\\0' ' ' < /proc/$$/cmdline 2>/dev/null)
  n=0
  while [ "$n" -lt 200 ] && [ "$(tr '\\0' ' ' < /proc/$child/cmdline 2>/dev/null)" = "$self" ]; do
    sleep 0.01
    n=$((n + 1))
  done
  kill -"$1" "$child" 2>/dev/null
}
trap 'forward TERM' TERM
trap 'forward INT' INT
trap 'forward HUP' HUP
"$@" &
child=$!
[ -n "$early" ] && send "$early"
wait "$child"
code=$?
# A trapped signal makes wait return early (status > 128) while the program may still run:
# wait again. 127 means the interrupted wait had already collected the status: keep it.
while [ "$got" = 1 ]; do
  got=0
  wait "$child"
  next=$?
  [ "$next" = 127 ] || code=$next
done
printf '%s\\n' "$code" > "$exit_file.tmp" && command -p mv -f "$exit_file.tmp" "$exit_file"
exit "$code"
`;

/** Write the shim under rootDir (idempotent; replaced atomically when its text changed). Returns its path. */
export async function installShim(rootDir: string): Promise<string> {
  const path = shimFile(rootDir);
  await mkdir(rootDir, { recursive: true });
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current !== SHIM_SCRIPT) {
    await writeFile(`${path}.tmp`, SHIM_SCRIPT, { mode: 0o755 });
    await rename(`${path}.tmp`, path);
  }
  return path;
}
