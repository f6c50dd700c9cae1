import { isApiError, type KObject } from '@kjobs/api';
import type { ApiClient } from './types.js';

/** GET one object; undefined when it does not exist (404). Any other error is thrown. */
export async function getIfExists<T extends KObject>(client: ApiClient, kind: string, namespace: string, name: string): Promise<T | undefined> {
  try {
    return await client.get<T>(kind, namespace, name);
  } catch (e) {
    if (isApiError(e, 404)) return undefined;
    throw e;
  }
}
