/** kuard's tests call its HTTP server the way MemQ's tests call theirs. */
export { call, close, listen, type Reply } from '@kjobs/memq/testing';
