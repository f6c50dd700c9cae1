import { LuaScript } from '@kjobs/store/lua';

export { LuaScript };

/** Names of the Lua scripts in `src/lua/`, one operation each. */
export type ScriptName = 'create' | 'delete' | 'drain' | 'enqueue' | 'dequeue' | 'ack' | 'stats';

const MEMQ_LUA = new URL('../lua/', import.meta.url);

/** `src/lua/<name>.lua` with its `--- @include "x"` lines spliced (src/lua/include/x.lua). */
export function loadLua(name: ScriptName): LuaScript {
  return LuaScript.load(name, MEMQ_LUA);
}

let cache: Record<ScriptName, LuaScript> | undefined;

/** Every script, loaded from disk once per process (lazily, so bundles that never use Redis never read them). */
export function memqScripts(): Record<ScriptName, LuaScript> {
  if (cache) return cache;
  const names: ScriptName[] = ['create', 'delete', 'drain', 'enqueue', 'dequeue', 'ack', 'stats'];
  cache = Object.fromEntries(names.map((n) => [n, loadLua(n)])) as Record<ScriptName, LuaScript>;
  return cache;
}
