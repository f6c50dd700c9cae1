import type { CronJob, Job, KObject, Node, Pod } from '@kjobs/api';
import { describeCronJob } from './describe-cronjob.js';
import { describeGeneric } from './describe-generic.js';
import { describeJob, type DescribeContext } from './describe-job.js';
import { describeNode } from './describe-node.js';
import { describePod } from './describe-pod.js';

export type { DescribeContext } from './describe-job.js';

/** Describe any object by its kind; `pods` is used by the node describer. */
export function describeObject(kind: string, obj: KObject, ctx: DescribeContext & { pods?: Pod[] | null }): string {
  switch (kind) {
    case 'Job': return describeJob(obj as Job, ctx);
    case 'CronJob': return describeCronJob(obj as CronJob, ctx);
    case 'Pod': return describePod(obj as Pod, ctx);
    case 'Node': return describeNode(obj as Node, { ...ctx, pods: ctx.pods ?? null });
    default: return describeGeneric(obj, ctx);
  }
}
