export * from './types.js';
export * from './resources.js';
export * from './errors.js';
export * from './selectors.js';
export * from './defaults/index.js';
export * from './validation/index.js';
