/** The narrow interface the TTL-after-finished sync reads and writes through, over the API. */
import type { Job } from '@kjobs/api';
import { getIfExists, type ApiClient } from '@kjobs/client';

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
    getJob: async (ns, name) => (await getIfExists<Job>(client, 'Job', ns, name)) ?? null,
    deleteJob: async (job, opts) => {
      await client.delete('Job', job.metadata.namespace!, job.metadata.name!, opts);
    },
  };
}
