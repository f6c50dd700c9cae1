import { parseLeaseDuration } from '@kjobs/memq';

/**
 * kuard's command line, parsed the way spf13/pflag parses it (`--flag=value`, `--flag value`,
 * bools as `--flag` or `--flag=false`, `--` ends flags, positional args are ignored), with kuard's
 * defaults and help texts (`pkg/app/config.go`, `pkg/keygen/config.go`, `pkg/debugprobe/config.go`)
 * plus the kjobs-only `--keygen-key-bits` and `--keygen-memq-lease`.
 */

/** kuard's keygen settings (JSON names as in `GET /keygen`). */
export interface KeyGenConfig {
  enable: boolean;
  numToGen: number;
  timeToRun: number;
  memQServer: string;
  memQQueue: string;
  exitOnComplete: boolean;
  exitCode: number;
}

/** Everything the command line sets. */
export interface KuardConfig {
  address: string;
  tlsAddress: string;
  tlsDir: string;
  debug: boolean;
  debugSitedataDir: string;
  keygen: KeyGenConfig;
  livenessFailNext: number;
  readinessFailNext: number;
  /** kjobs: RSA key size for keygen (kuard: always 4096). */
  keyBits: number;
  /**
   * kjobs: lease each MemQ item for this Go duration (`5m`) and ack it once its key is made, so an
   * item whose consumer dies mid-key is redelivered. "" (default): kuard's destructive dequeue.
   */
  memqLease: string;
}

type FlagType = 'bool' | 'int' | 'string';

interface FlagDef {
  name: string;
  type: FlagType;
  def: boolean | number | string;
  usage: string;
  set: (c: KuardConfig, v: boolean | number | string) => void;
  /** Extra check of a string value; returns pflag's error detail when invalid. */
  check?: (v: string) => string | undefined;
}

/** Every flag, in pflag's sorted order, with kuard's default and help text. */
export const FLAGS: readonly FlagDef[] = [
  { name: 'address', type: 'string', def: ':8080', usage: 'The address to serve on', set: (c, v) => (c.address = v as string) },
  { name: 'debug', type: 'bool', def: false, usage: 'Debug/devel mode', set: (c, v) => (c.debug = v as boolean) },
  {
    name: 'debug-sitedata-dir', type: 'string', def: './sitedata', usage: 'When in debug/dev mode, directory to find the static assets.',
    set: (c, v) => (c.debugSitedataDir = v as string),
  },
  { name: 'keygen-enable', type: 'bool', def: false, usage: 'Enable KeyGen workload', set: (c, v) => (c.keygen.enable = v as boolean) },
  { name: 'keygen-exit-code', type: 'int', def: 0, usage: 'Exit code when workload complete', set: (c, v) => (c.keygen.exitCode = v as number) },
  {
    name: 'keygen-exit-on-complete', type: 'bool', def: false, usage: 'Exit after workload is complete',
    set: (c, v) => (c.keygen.exitOnComplete = v as boolean),
  },
  {
    name: 'keygen-key-bits', type: 'int', def: 4096, usage: 'kjobs: RSA key size in bits (env KUARD_KEYGEN_BITS)',
    set: (c, v) => (c.keyBits = v as number),
  },
  {
    name: 'keygen-memq-lease', type: 'string', def: '', usage: 'kjobs: lease MemQ items for this long and ack each when done (e.g. 5m); empty: destructive dequeue',
    set: (c, v) => (c.memqLease = v as string),
    check: (v) => (v === '' || parseLeaseDuration(v) !== undefined ? undefined : `time: invalid duration ${JSON.stringify(v)}`),
  },
  {
    name: 'keygen-memq-queue', type: 'string', def: '', usage: 'The MemQ server queue to use. If MemQ is used, other limits are ignored.',
    set: (c, v) => (c.keygen.memQQueue = v as string),
  },
  {
    name: 'keygen-memq-server', type: 'string', def: '', usage: 'The MemQ server to draw work items from.  If MemQ is used, other limits are ignored.',
    set: (c, v) => (c.keygen.memQServer = v as string),
  },
  {
    name: 'keygen-num-to-gen', type: 'int', def: 0, usage: 'The number of keys to generate. Set to 0 for infinite',
    set: (c, v) => (c.keygen.numToGen = v as number),
  },
  {
    name: 'keygen-time-to-run', type: 'int', def: 0, usage: 'The target run time in seconds. Set to 0 for infinite',
    set: (c, v) => (c.keygen.timeToRun = v as number),
  },
  {
    name: 'liveness-fail-next', type: 'int', def: 0, usage: 'Fail the next N probes. 0 is succeed forever. <0 is fail forever.',
    set: (c, v) => (c.livenessFailNext = v as number),
  },
  {
    name: 'readiness-fail-next', type: 'int', def: 0, usage: 'Fail the next N probes. 0 is succeed forever. <0 is fail forever.',
    set: (c, v) => (c.readinessFailNext = v as number),
  },
  { name: 'tls-address', type: 'string', def: ':8443', usage: 'Address to serve TLS on if certs found.', set: (c, v) => (c.tlsAddress = v as string) },
  { name: 'tls-dir', type: 'string', def: '/tls', usage: 'Directory to look to find TLS certs', set: (c, v) => (c.tlsDir = v as string) },
];

/** The configuration with no flags given. */
export function defaultConfig(): KuardConfig {
  return {
    address: ':8080',
    tlsAddress: ':8443',
    tlsDir: '/tls',
    debug: false,
    debugSitedataDir: './sitedata',
    keygen: { enable: false, numToGen: 0, timeToRun: 0, memQServer: '', memQQueue: '', exitOnComplete: false, exitCode: 0 },
    livenessFailNext: 0,
    readinessFailNext: 0,
    keyBits: 4096,
    memqLease: '',
  };
}

/** The outcome of parsing: a config, a help request, or pflag's error text (exit 2). */
export type ParseResult =
  | { kind: 'ok'; config: KuardConfig; args: string[] }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.ParseInt(s, 0, 64): decimal, 0x hex, 0o / leading-0 octal, 0b binary, `_` separators after a prefix. */
function parseGoInt(s: string): number | 'syntax' | 'range' {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return 'syntax';
  const body = m[2]!;
  if (body.includes('_') && !/^0[xXbBoO]?/.test(body)) return 'syntax';
  const digits = body.replace(/_/g, '');
  let v: bigint;
  if (/^0[xX]/.test(digits)) v = BigInt('0x' + digits.slice(2));
  else if (/^0[bB]/.test(digits)) v = BigInt('0b' + digits.slice(2));
  else if (/^0[oO]/.test(digits)) v = BigInt('0o' + digits.slice(2));
  else if (digits.length > 1 && digits[0] === '0') v = BigInt('0o' + digits.slice(1));
  else v = BigInt(digits);
  if (m[1] === '-') v = -v;
  if (v > 9223372036854775807n || v < -9223372036854775808n) return 'range';
  return Number(v);
}

function convert(def: FlagDef, raw: string): boolean | number | string | { error: string } {
  if (def.type === 'string') {
    const error = def.check?.(raw);
    return error === undefined ? raw : { error };
  }
  if (def.type === 'bool') {
    const b = parseBool(raw);
    return b === undefined ? { error: `strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax` } : b;
  }
  const n = parseGoInt(raw);
  if (n === 'syntax') return { error: `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax` };
  if (n === 'range') return { error: `strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range` };
  return n;
}

/**
 * Parse kuard's arguments (without the program name). `env` supplies KUARD_KEYGEN_BITS, which a
 * `--keygen-key-bits` flag overrides.
 */
export function parseFlags(argv: readonly string[], env: Record<string, string | undefined> = {}): ParseResult {
  const config = defaultConfig();
  const envBits = env.KUARD_KEYGEN_BITS ? parseGoInt(env.KUARD_KEYGEN_BITS) : undefined;
  if (typeof envBits === 'number') config.keyBits = envBits;
  const byName = new Map(FLAGS.map((f) => [f.name, f]));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    if (!a.startsWith('--')) {
      if (a === '-h') return { kind: 'help' };
      return { kind: 'error', message: `unknown shorthand flag: '${a[1]}' in ${a}` };
    }
    const body = a.slice(2);
    if (body.startsWith('-') || body.startsWith('=')) return { kind: 'error', message: `bad flag syntax: ${a}` };
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const def = byName.get(name);
    if (!def) {
      if (name === 'help') return { kind: 'help' };
      return { kind: 'error', message: `unknown flag: --${name}` };
    }
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (def.type === 'bool') raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i]!;
    else return { kind: 'error', message: `flag needs an argument: --${name}` };
    const v = convert(def, raw);
    if (typeof v === 'object') return { kind: 'error', message: `invalid argument ${JSON.stringify(raw)} for "--${name}" flag: ${v.error}` };
    def.set(config, v);
  }
  return { kind: 'ok', config, args };
}

/** pflag's FlagUsages for kuard's flags (the text after "Usage of /kuard:"). */
export function flagUsages(): string {
  const lines = FLAGS.map((f) => {
    const left = `      --${f.name}${f.type === 'bool' ? '' : ' ' + f.type}`;
    let usage = f.usage;
    if (f.type === 'string' && f.def !== '') usage += ` (default ${JSON.stringify(f.def)})`;
    if (f.type === 'int' && f.def !== 0) usage += ` (default ${f.def})`;
    return [left, usage] as const;
  });
  const width = Math.max(...lines.map(([l]) => l.length));
  return lines.map(([l, u]) => l.padEnd(width) + '   ' + u + '\n').join('');
}
