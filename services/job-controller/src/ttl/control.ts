/** The narrow interface the TTL-after-finished sync reads and writes through, over the API. */
import { isApiError, type Job } from '@kjobs/api';
import type { ApiClient } from '@kjobs/client';

/** The uncached read and the delete of the TTL sync. API failures throw ApiError (@kjobs/api). */
export interface TtlControl {
  /** Uncached GET of a Job; null when it does not exist. */
  getJob(ns: string, name: string): Promise<Job | null>;
  /** DELETE the Job with these options. */
  deleteJob(job: Job, opts: { propagationPolicy: 'Foreground'; preconditions: { uid: string } }): Promise<void>;
}

/** The TTL control over the API (`client`). */
export function apiTtlControl(client: ApiClient): TtlControl {
  return {
    getJob: async (ns, name) => {
      try {
        return await client.get<Job>('Job', ns, name);
      } catch (e) {
        if (isApiError(e, 404)) return null;
        throw e;
      }
    },
    deleteJob: async (job, opts) => {
      await client.delete('Job', job.metadata.namespace!, job.metadata.name!, opts);
    },
  };
}
