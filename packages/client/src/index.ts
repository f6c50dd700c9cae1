export * from './types.js';
export * from './kinds.js';
export * from './nats-client.js';
export * from './http-client.js';
export * from './informer.js';
export * from './work-queue.js';
export * from './expectations.js';
export * from './events.js';
