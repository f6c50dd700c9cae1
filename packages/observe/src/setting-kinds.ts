import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseListenAddress, type ListenAddress } from './listen-address.js';

/**
 * One setting of a service: an environment variable, the flag that overrides it, its default and
 * how its text becomes a value. `Has` records at the type level whether a default exists (then the
 * loaded value is never undefined).
 */
export interface Setting<T, Has extends boolean = boolean> {
  /** The environment variable, e.g. `KJOBS_HEARTBEAT_SECONDS`. */
  readonly env: string;
  /** The flag without dashes; false: environment only (secrets: a flag shows in `ps`). */
  readonly flag: string | false;
  /** One sentence: what the setting does. */
  readonly help: string;
  /** What the text must be, e.g. `integer ≥ 1`, `URL`, `on|off|auto`. */
  readonly type: string;
  /** The value when unset (already parsed). */
  readonly default?: T;
  /** The default as people read it, e.g. `$KJOBS_HOME/pki`; empty when there is none. */
  readonly defaultText: string;
  /** Also read `<env>_FILE`, a file holding the value (trimmed). */
  readonly secret: boolean;
  /** Bare `--flag` means `true` (booleans). */
  readonly bare: boolean;
  /** Text to value; throws an Error whose message says what is wrong (without the name). */
  parse(text: string): T;
  /** Phantom: whether `default` is set. */
  readonly hasDefault?: Has;
}

/** What every setting kind takes. */
export interface SettingOptions<T> {
  env: string;
  help: string;
  /** Flag name without dashes; default: `env` without `KJOBS_`, lower-case, `_` → `-`; false: none. */
  flag?: string | false;
  default?: T;
  /** How the default reads when it is computed (`$KJOBS_HOME/pki`, `this machine's cores`). */
  defaultText?: string;
}

type HasDefault<O> = O extends { default: unknown } ? true : false;

/** `KJOBS_NODE_GRACE_SECONDS` → `node-grace-seconds`, `NATS_URL` → `nats-url`. */
export function flagOf(env: string): string {
  return env.replace(/^KJOBS_/, '').toLowerCase().replace(/_/g, '-');
}

function make<T, O extends SettingOptions<T>>(o: O, type: string, parse: (text: string) => T, extra: { secret?: boolean; bare?: boolean; show?: (v: T) => string } = {}): Setting<T, HasDefault<O>> {
  const show = extra.show ?? String;
  return {
    env: o.env, help: o.help, type, parse,
    flag: extra.secret ? false : o.flag === undefined ? flagOf(o.env) : o.flag,
    ...(o.default !== undefined ? { default: o.default } : {}),
    defaultText: o.defaultText ?? (o.default === undefined ? '' : show(o.default)),
    secret: !!extra.secret, bare: !!extra.bare,
  };
}

/** Free text (non-empty). */
export function text<O extends SettingOptions<string>>(o: O): Setting<string, HasDefault<O>> {
  return make(o, 'text', (t) => t);
}

/** A secret: `<env>` or a file named by `<env>_FILE` (not both); no flag. */
export function secret<O extends SettingOptions<string>>(o: O): Setting<string, HasDefault<O>> {
  return make(o, 'secret', (t) => t, { secret: true });
}

/** An integer, optionally bounded. */
export function int<O extends SettingOptions<number> & { min?: number; max?: number }>(o: O): Setting<number, HasDefault<O>> {
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` ≥ ${o.min}` : o.max !== undefined ? ` ≤ ${o.max}` : '';
  return make(o, `integer${range}`, (t) => {
    const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
    if (!Number.isSafeInteger(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) throw new Error(`is not an integer${range}`);
    return n;
  });
}

const TRUE = new Set(['1', 't', 'true']);
const FALSE = new Set(['0', 'f', 'false']);

/** A boolean: 1/t/true or 0/f/false (Go's ParseBool, any case); a bare `--flag` is true. */
export function bool<O extends SettingOptions<boolean>>(o: O): Setting<boolean, HasDefault<O>> {
  return make(o, 'true|false', (t) => {
    const v = t.toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    throw new Error('is not a boolean (true, false, 1 or 0)');
  }, { bare: true });
}

/** One of fixed words. */
export function oneOf<const V extends string, O extends SettingOptions<V>>(values: readonly V[], o: O): Setting<V, HasDefault<O>> {
  return make(o, values.join('|'), (t) => {
    if ((values as readonly string[]).includes(t)) return t as V;
    throw new Error(`is not one of ${values.join(', ')}`);
  });
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds, written as a number in the variable's `unit` (what `_SECONDS` and
 * `_MS` names promise) or with units as Go writes them (`90s`, `1m30s`, `250ms`). `default` is
 * in `unit`.
 */
export function duration<O extends SettingOptions<number> & { unit: 's' | 'ms' }>(o: O): Setting<number, HasDefault<O>> {
  const factor = UNITS[o.unit]!;
  const named = o.unit === 's' ? 'seconds' : 'milliseconds';
  const opts = { ...o, ...(o.default !== undefined ? { default: o.default * factor } : {}) };
  return make(opts, `${named} (or 1m30s)`, (t) => {
    const plain = /^\d+(\.\d+)?$/.test(t) ? Number(t) * factor : NaN;
    if (!Number.isNaN(plain)) return plain;
    const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
    if (!parts.length || parts.map((p) => p[0]).join('') !== t) throw new Error(`is not a duration (${named}, or e.g. 10s, 1m30s, 250ms)`);
    return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  }, { show: (v) => String(v / factor) });
}

/** A URL with one of `protocols` (`redis:`); with `list`, comma-separated URLs (a bare host:port is allowed there, as NATS takes it). */
export function url<O extends SettingOptions<string> & { protocols: string[]; list?: boolean }>(o: O): Setting<string, HasDefault<O>> {
  const one = (u: string): void => {
    if (o.list && /^[\w.-]+:\d{1,5}$/.test(u)) return;
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new Error(`is not a URL (e.g. ${o.protocols[0]}//127.0.0.1)`);
    }
    if (!o.protocols.includes(parsed.protocol)) throw new Error(`is not a ${o.protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL`);
  };
  return make(o, o.list ? 'URLs, comma-separated' : 'URL', (t) => {
    for (const u of o.list ? t.split(',') : [t]) one(u.trim());
    return t;
  });
}

/** A file-system path; with `mustExist`, a file or directory that is there at start. */
export function path<O extends SettingOptions<string> & { mustExist?: 'file' | 'directory' }>(o: O): Setting<string, HasDefault<O>> {
  return make(o, o.mustExist ? `path of an existing ${o.mustExist}` : 'path', (t) => {
    if (!o.mustExist) return t;
    if (!existsSync(t)) throw new Error(`names a ${o.mustExist} that does not exist`);
    const isDir = statSync(t).isDirectory();
    if (isDir !== (o.mustExist === 'directory')) throw new Error(`is not a ${o.mustExist}`);
    return t;
  });
}

/** `host:port` to listen on (`[::1]:port` for IPv6; port 0 = a free one). */
export function listenAddress<O extends SettingOptions<string>>(o: O): Setting<ListenAddress, HasDefault<O>> {
  const opts = { ...o, default: o.default === undefined ? undefined : parseListenAddress(o.default), defaultText: o.defaultText ?? o.default };
  return make(opts, 'host:port', (t) => {
    try {
      return parseListenAddress(t);
    } catch {
      throw new Error('is not host:port (e.g. 127.0.0.1:0)');
    }
  }) as Setting<ListenAddress, HasDefault<O>>;
}

/** An IP range `address/prefix`; with `off`, the word `off` too (returned as false). */
export function cidr<O extends SettingOptions<string> & { off?: boolean }>(o: O): Setting<O extends { off: true } ? string | false : string, HasDefault<O>> {
  return make<string | false, SettingOptions<string>>(o, o.off ? 'CIDR or off' : 'CIDR', (t) => {
    if (o.off && t === 'off') return false;
    const [ip, bits, rest] = t.split('/');
    const family = isIP(ip ?? '');
    const n = /^\d{1,3}$/.test(bits ?? '') ? Number(bits) : NaN;
    if (!family || rest !== undefined || !(n <= (family === 4 ? 32 : 128))) throw new Error(`is not a CIDR (e.g. 10.244.0.0/16)${o.off ? ' or off' : ''}`);
    return t;
  }) as Setting<O extends { off: true } ? string | false : string, HasDefault<O>>;
}

/** Anything else: `type` says what it must be, `parse` throws saying what is wrong. */
export function custom<T, O extends SettingOptions<T> & { type: string; show?: (v: T) => string } = SettingOptions<T> & { type: string }>(o: O & { parse: (text: string) => T }): Setting<T, HasDefault<O>> {
  return make(o, o.type, o.parse, o.show ? { show: o.show } : {});
}
