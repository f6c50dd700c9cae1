import { readFileSync } from 'node:fs';
import type { Setting } from './setting-kinds.js';

/**
 * A service's settings, declared once: `--help`, validation at start and the table in
 * docs/configuration.md are all made from it.
 */
export interface ServiceSettings<D extends Record<string, Setting<unknown>>> {
  /** The service's name, as its error lines and `--help` start. */
  service: string;
  /** One line: what the service is. */
  summary: string;
  settings: D;
}

/** What `loadSettings` returns: each setting's value, undefined only where there is no default. */
export type SettingValues<D extends Record<string, Setting<unknown>>> = {
  [K in keyof D]: D[K] extends Setting<infer T, true> ? T : D[K] extends Setting<infer T> ? T | undefined : never;
};

/** A setting is wrong (unknown flag, bad value, unreadable file): the message is one line naming it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Declare a service's settings (checks that no variable or flag is declared twice). */
export function defineSettings<D extends Record<string, Setting<unknown>>>(service: string, summary: string, settings: D): ServiceSettings<D> {
  const seen = new Set<string>();
  for (const s of Object.values(settings)) {
    for (const key of [s.env, s.flag && `--${s.flag}`]) {
      if (!key) continue;
      if (seen.has(key)) throw new Error(`${service}: ${key} is declared twice`);
      seen.add(key);
    }
  }
  return { service, summary, settings };
}

/** Where settings come from; defaults are this process's. */
export interface SettingSources {
  env?: Record<string, string | undefined>;
  /** Arguments after the program (`process.argv.slice(2)`). */
  argv?: readonly string[];
  /** Reads `<env>_FILE` of secrets. */
  readFile?: (path: string) => string;
}

/** `--name=value`, `--name value` or bare `--name` (booleans) into a name → text map. */
function parseFlags(argv: readonly string[], byFlag: Map<string, Setting<unknown>>): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z0-9][a-z0-9-]*)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const s = byFlag.get(m[1]!);
    if (!s) throw new ConfigError(`unknown flag --${m[1]} (see --help)`);
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (s.bare && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new ConfigError(`--${m[1]} needs a value (${s.type})`);
      else value = argv[++i]!;
    }
    out.set(m[1]!, value);
  }
  return out;
}

/** One setting's text and where it came from, or undefined when unset (an empty variable is unset). */
function rawOf(s: Setting<unknown>, flags: Map<string, string>, env: Record<string, string | undefined>, readFile: (p: string) => string): { text: string; from: string } | undefined {
  if (s.flag && flags.has(s.flag)) return { text: flags.get(s.flag)!, from: `--${s.flag}` };
  const direct = env[s.env] || undefined;
  const file = s.secret ? env[`${s.env}_FILE`] || undefined : undefined;
  if (direct !== undefined && file !== undefined) throw new ConfigError(`${s.env} and ${s.env}_FILE are both set; set one`);
  if (file !== undefined) {
    try {
      return { text: readFile(file).trim(), from: `${s.env}_FILE` };
    } catch (e) {
      throw new ConfigError(`${s.env}_FILE=${JSON.stringify(file)} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return direct === undefined ? undefined : { text: direct, from: s.env };
}

/**
 * Read every setting: flag, else environment variable (or its `_FILE` for secrets), else the
 * default. Throws a ConfigError on the first bad one, so nothing starts with a half-valid config.
 */
export function loadSettings<D extends Record<string, Setting<unknown>>>(spec: ServiceSettings<D>, src: SettingSources = {}): SettingValues<D> {
  const env = src.env ?? process.env;
  const readFile = src.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const byFlag = new Map(Object.values(spec.settings).filter((s) => s.flag).map((s) => [s.flag as string, s]));
  const flags = parseFlags(src.argv ?? process.argv.slice(2), byFlag);
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec.settings)) {
    const raw = rawOf(s, flags, env, readFile);
    if (!raw) {
      out[key] = s.default;
      continue;
    }
    try {
      out[key] = s.parse(raw.text.trim());
    } catch (e) {
      const shown = s.secret ? '' : `=${JSON.stringify(raw.text)}`;
      throw new ConfigError(`${raw.from}${shown} ${(e as Error).message}`);
    }
  }
  return out as SettingValues<D>;
}

/** `--help`: the summary, then each flag and variable with its type, meaning and default. */
export function settingsUsage(spec: ServiceSettings<Record<string, Setting<unknown>>>): string {
  const lines = [`${spec.service}: ${spec.summary}`, '', `Usage: ${spec.service} [flags]`, '',
    'Each flag overrides its environment variable. Settings (docs/configuration.md has them all):', ''];
  for (const s of Object.values(spec.settings)) {
    const names = [s.flag ? `--${s.flag}` : '', s.env, s.secret ? `${s.env}_FILE` : ''].filter(Boolean).join(', ');
    lines.push(`  ${names}  <${s.type}>`);
    lines.push(`      ${s.help}${s.defaultText ? ` (default ${s.defaultText})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What a service's main does first: `--help`/`-h` prints the usage and exits 0; a bad setting
 * prints one line, `<service>: <what is wrong>`, to stderr and exits 2; else the values.
 */
export function configure<D extends Record<string, Setting<unknown>>>(spec: ServiceSettings<D>, src: SettingSources = {}): SettingValues<D> {
  const argv = src.argv ?? process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(settingsUsage(spec));
    process.exit(0);
  }
  try {
    return loadSettings(spec, { ...src, argv });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${spec.service}: ${e.message}\n`);
    process.exit(2);
  }
}
