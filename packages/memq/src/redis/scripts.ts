import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Names of the Lua scripts in `src/lua/`, one operation each. */
export type ScriptName = 'create' | 'delete' | 'drain' | 'enqueue' | 'dequeue' | 'ack' | 'stats';

const INCLUDE = /^--- @include (\w[\w-]*)\s*$/gm;

function readLua(file: string): string {
  return readFileSync(new URL(`../lua/${file}`, import.meta.url), 'utf8');
}

/** Read `src/lua/<name>.lua`, splicing `--- @include x` lines with `src/lua/includes/x.lua`. */
export function loadLua(name: ScriptName): string {
  return readLua(`${name}.lua`).replace(INCLUDE, (_, inc: string) => readLua(`includes/${inc}.lua`));
}

/**
 * One Lua script bound to its SHA-1: `run` is a single EVALSHA round trip; after a Redis restart
 * or SCRIPT FLUSH (NOSCRIPT) it falls back to one EVAL, which also reloads the script.
 */
export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: ScriptName,
    readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Run with KEYS and ARGV; returns the script's reply as ioredis decodes it. */
  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

let cache: Record<ScriptName, LuaScript> | undefined;

/** Every script, loaded from disk once per process (lazily, so bundles that never use Redis never read them). */
export function memqScripts(): Record<ScriptName, LuaScript> {
  if (cache) return cache;
  const names: ScriptName[] = ['create', 'delete', 'drain', 'enqueue', 'dequeue', 'ack', 'stats'];
  cache = Object.fromEntries(names.map((n) => [n, new LuaScript(n, loadLua(n))])) as Record<ScriptName, LuaScript>;
  return cache;
}
