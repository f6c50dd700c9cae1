import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * One Lua script run with EVALSHA (the one Lua runner of kjobs: the store's scripts and MemQ's).
 * When Redis does not know the script yet (first use, or after a restart, failover or SCRIPT
 * FLUSH) it falls back to EVAL once, which also caches it on the server.
 */
export class LuaScript {
  /** SHA1 of the source, as EVALSHA expects. */
  readonly sha: string;

  constructor(readonly name: string, readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Load `<dir>/<name>.lua` (default the store's `lua/` next to this module). A line
   * `--- @include "<file>"` is replaced by `<dir>/include/<file>.lua` (shared local functions;
   * one level, no nesting), as BullMQ does.
   */
  static load(name: string, dir: URL = STORE_LUA): LuaScript {
    const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
    return new LuaScript(name, expandIncludes(read(`${name}.lua`), read));
  }

  /** Run with the given KEYS and ARGV; returns the raw reply. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

const INCLUDE_RE = /^--- @include "([a-z0-9-]+)"$/gm;

const STORE_LUA = new URL('./lua/', import.meta.url);

function readLua(file: string): string {
  return readFileSync(new URL(file, STORE_LUA), 'utf8');
}

/** Replace each `--- @include "<file>"` line with the contents of `lua/include/<file>.lua`. */
export function expandIncludes(source: string, read: (file: string) => string = readLua): string {
  return source.replace(INCLUDE_RE, (_line, file: string) => read(`include/${file}.lua`).trimEnd());
}

/** Every script of the store, loaded once per process. */
export interface StoreScripts {
  create: LuaScript;
  update: LuaScript;
  delete: LuaScript;
  list: LuaScript;
  changes: LuaScript;
  init: LuaScript;
}

let loaded: StoreScripts | undefined;

/** The store's scripts (read from disk on first use). */
export function storeScripts(): StoreScripts {
  loaded ??= {
    create: LuaScript.load('create'),
    update: LuaScript.load('update'),
    delete: LuaScript.load('delete'),
    list: LuaScript.load('list'),
    changes: LuaScript.load('changes'),
    init: LuaScript.load('init'),
  };
  return loaded;
}
