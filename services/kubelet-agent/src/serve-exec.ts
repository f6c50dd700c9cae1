import type { Readable } from 'node:stream';
import { ApiError } from '@kjobs/api';
import { ExecChannel, StreamError, channelChunk, exitCodeStatus, serveStream, type ExecRequest, type NatsConnection, type StreamWriter } from '@kjobs/bus';
import type { Subscription } from '@nats-io/transport-node';
import type { ExecInContainer, ExecProcess } from './runtime/exec.js';

/** Output is relayed in pieces of at most this size (one channel byte each). */
const MAX_PIECE = 64 * 1024;

/**
 * Serve `kubectl exec` for this node on `subject` (`<p>.node.<node>.exec`, a duplex stream):
 * start the command with the runtime's `exec`, relay stdin in and stdout/stderr out as
 * remotecommand channel chunks, and end with the exit code's Status on the error channel.
 * A command that cannot start is refused before any output (the api-server answers the upgrade
 * with that error); a requester that goes away kills the command.
 */
export function serveExec(nc: NatsConnection, subject: string, exec: ExecInContainer): Subscription {
  return serveStream<ExecRequest>(nc, subject, (req, out) => runExec(req, out, exec));
}

async function runExec(req: ExecRequest, out: StreamWriter, exec: ExecInContainer): Promise<void> {
  let proc: ExecProcess;
  try {
    proc = await exec(req.uid, req.container, req.command, { tty: req.tty, stdin: req.stdin });
  } catch (e) {
    if (e instanceof ApiError) throw new StreamError(e.code, e.message);
    throw e;
  }
  const onAbort = () => proc.kill();
  out.signal.addEventListener('abort', onAbort, { once: true });
  try {
    out.onInput((chunk) => {
      if (chunk === null) proc.stdin?.end();
      else if (chunk[0] === ExecChannel.stdin) proc.stdin?.write(chunk.subarray(1));
      else if (chunk[0] === ExecChannel.close && chunk[1] === ExecChannel.stdin) proc.stdin?.end();
      // resize (4): piped stdio has no window size to set.
    });
    const [code] = await Promise.all([proc.exit, relay(proc.stdout, ExecChannel.stdout, req.stdout, out), relay(proc.stderr, ExecChannel.stderr, req.stderr, out)]);
    out.write(channelChunk(ExecChannel.error, JSON.stringify(exitCodeStatus(code))));
  } finally {
    out.signal.removeEventListener('abort', onAbort);
  }
}

/** Copy a pipe to the stream on `channel` (read and dropped when not wanted); resolves at its end. */
function relay(r: Readable | null, channel: number, wanted: boolean, out: StreamWriter): Promise<void> {
  if (!r) return Promise.resolve();
  return new Promise((resolve) => {
    r.on('data', (b: Buffer) => {
      if (!wanted) return;
      for (let i = 0; i < b.length; i += MAX_PIECE) out.write(channelChunk(channel, b.subarray(i, i + MAX_PIECE)));
    });
    r.once('end', () => resolve());
    r.once('error', () => resolve());
  });
}
