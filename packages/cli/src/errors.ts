import { ApiError } from '@kjobs/api';

/** A CLI failure with a message meant for the user (printed as "error: <message>", exit 1). */
export class CliError extends Error {
  /** `bare`: printed without the "error: " prefix (kubectl's "Unable to connect to the server: …"). */
  constructor(message: string, readonly exitCode = 1, readonly bare = false) {
    super(message);
    this.name = 'CliError';
  }
}

/** The hint shown when nothing listens at the api-server address. */
export function unreachableMessage(server: string): string {
  return `cannot reach the kjobs api-server at ${server}: start the cluster with \`npm start\` (or \`docker compose up\`)`;
}

/**
 * One error as kubectl prints it:
 * - Invalid with details → `The Job "x" is invalid: spec.field: message` (one cause) or a
 *   `* field: message` list;
 * - 401 → `error: You must be logged in to the server (Unauthorized)`;
 * - other Status errors → `Error from server (Reason): [context: ]message`;
 * - anything else → `error: message`.
 * `context` is kubectl's "error when creating \"file.yaml\"" prefix.
 */
export function formatError(e: unknown, context?: string): string {
  if (e instanceof ApiError) {
    if (e.reason === 'Invalid' && e.details) {
      const d = e.details;
      let s = d.kind || d.name ? `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid` : 'The request is invalid';
      const causes = (d.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : `${c.message ?? ''}`));
      if (causes.length === 1) s += `: ${causes[0]}`;
      else if (causes.length > 1) s += `: \n${causes.map((c) => `* ${c}`).join('\n')}`;
      return s;
    }
    if (e.code === 401) return 'error: You must be logged in to the server (Unauthorized)';
    const prefix = e.reason ? `Error from server (${e.reason})` : 'Error from server';
    return `${prefix}: ${context ? `${context}: ` : ''}${e.message}`;
  }
  if (e instanceof CliError) return e.bare ? e.message : `error: ${e.message}`;
  return `error: ${(e as Error)?.message ?? String(e)}`;
}

/** The process exit status for an error. */
export function exitCodeOf(e: unknown): number {
  return e instanceof CliError ? e.exitCode : 1;
}
