/**
 * The job-controller's side of queue-aware completion (job/decide-queue.ts): before a Job's sync,
 * what MemQ says about the queue the Job names; after it, the `kjobs.io/memq-queue-status`
 * annotation kept true, so `kubectl describe job` and `kjobs describe job` show the queue's depth
 * and leases in flight while the Job's status stays exactly Kubernetes'.
 */
import { isApiError, type Job, type Pod, type Service } from '@kjobs/api';
import { getIfExists, type ApiClient, type Informer } from '@kjobs/client';
import { isJobFinished } from '../job/conditions.js';
import { MEMQ_STATUS_ANNOTATION, type QueueObservation, jobQueueName, queueSummary } from '../job/decide-queue.js';
import type { PodDial } from './pod-dial.js';
import { QueueStats } from './queue-stats.js';

/** The queue facts a sync takes (JobSyncInput.queue). */
export interface JobQueueInput {
  /** The queue the Job names. */
  name: string;
  observation: QueueObservation;
  /** Look at the queue again this often while it is not drained. */
  pollMs: number;
}

/** Options of {@link JobQueues}. */
export interface JobQueuesOptions {
  stats: QueueStats;
  /** While a queue is not drained, sync its Job this often. Default 2000 ms. */
  pollMs?: number;
  /** JSON merge patch of a Job (metadata only here). */
  patchJob(namespace: string, name: string, patch: unknown): Promise<void>;
}

/** Queue observations for Job syncs, and their record on the Job. */
export class JobQueues {
  private readonly pollMs: number;

  constructor(private readonly o: JobQueuesOptions) {
    this.pollMs = o.pollMs ?? 2000;
  }

  /** The queue input for this sync (`pods`: the Job's), for a live Job that names a queue; undefined otherwise. */
  async input(job: Job, pods: readonly Pod[]): Promise<JobQueueInput | undefined> {
    const name = jobQueueName(job);
    if (name === undefined || isJobFinished(job) || job.metadata.deletionTimestamp) return undefined;
    const podState = pods.map((p) => `${p.metadata.uid}:${p.status?.phase}`).sort().join(',');
    return { name, observation: await this.o.stats.observe(job, name, podState), pollMs: this.pollMs };
  }

  /**
   * Write the summary annotation when it changed. Called after the sync: its status write carries
   * the resourceVersion the sync read, which this metadata patch would otherwise have moved on.
   */
  async record(job: Job, input: JobQueueInput | undefined): Promise<void> {
    if (!input) return;
    const summary = queueSummary(input.observation, input.name);
    if (job.metadata.annotations?.[MEMQ_STATUS_ANNOTATION] === summary) return;
    try {
      await this.o.patchJob(job.metadata.namespace ?? '', job.metadata.name ?? '', { metadata: { annotations: { [MEMQ_STATUS_ANNOTATION]: summary } } });
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
    }
  }
}

/** How the controller manager asks MemQ (main.ts fills it from the environment). */
export interface MemqAccess {
  /** Opens a connection to a pod's port (pod-dial.ts). */
  dialPod: PodDial;
  /** kjobs' memq service's MemQ API (`http://127.0.0.1:8090/memq/server`), for Jobs without kjobs.io/memq-server. Default: none. */
  defaultServer?: string;
  /** While a queue is not drained, look at it this often. Default 2000 ms. */
  pollMs?: number;
}

/** JobQueues over the API client (Services, Job patches) and the shared pod cache. */
export function createJobQueues(client: ApiClient, pods: Informer<Pod>, access: MemqAccess): JobQueues {
  const stats = new QueueStats({
    getService: (ns, name) => getIfExists<Service>(client, 'Service', ns, name),
    podsIn: (ns) => pods.byIndex('namespace', ns),
    dialPod: access.dialPod,
    ...(access.defaultServer ? { defaultServer: access.defaultServer } : {}),
    minIntervalMs: Math.min(1000, access.pollMs ?? 1000),
  });
  return new JobQueues({
    stats,
    ...(access.pollMs ? { pollMs: access.pollMs } : {}),
    patchJob: async (ns, name, patch) => {
      await client.patch('Job', ns, name, 'merge', patch);
    },
  });
}
