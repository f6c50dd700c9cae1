export * from './subjects.js';
export * from './messages.js';
export * from './connection.js';
export * from './codec.js';
export * from './stream.js';
export * from './exec.js';
export * from './port-forward.js';
