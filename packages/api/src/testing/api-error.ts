import { ApiError } from '../errors.js';

/** The ApiError `f` throws (anything else it throws is rethrown; throwing nothing fails). */
export function thrownApiError(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, but nothing was thrown');
}
