export * from './store.js';
export { RedisStore, compileRedisStoreOptions, type RedisStoreOptions, type InitResult } from './redis-store.js';
export { DEFAULT_LIST_READ_AHEAD, ListReadAhead, type ListReadAheadOptions, type ReadAheadCounts } from './list-read-ahead.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { StoreKeys, isKeySafeName } from './keys.js';
export { decodeObject } from './object-codec.js';
// The contract suite imports vitest, so it has its own entry: `@kjobs/store/contract`.
