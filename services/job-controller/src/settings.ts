import { commonSettings as c, custom, defineSettings, duration, int } from '@kjobs/observe';

/** A time zone the runtime knows (`UTC`, `Europe/Berlin`). */
function parseTimeZone(t: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: t });
    return t;
  } catch {
    throw new Error('is not a time zone (e.g. UTC, Europe/Berlin)');
  }
}

/** The job-controller's settings (docs/configuration.md is made from them). */
export const jobControllerSettings = defineSettings('job-controller', 'Job, CronJob, ReplicaSet, TTL-after-finished, garbage-collector, node-lifecycle and node-IPAM controllers; runs as leader of the kube-system/kube-controller-manager Lease.', {
  natsUrl: c.natsUrl, natsUser: c.natsUser, natsPassword: c.natsPassword, token: c.token, subjectPrefix: c.subjectPrefix,
  nodeGrace: duration({ env: 'KJOBS_NODE_GRACE_SECONDS', unit: 's', default: 50, help: 'A node whose Lease is not renewed for this long becomes NotReady.' }),
  podEviction: duration({ env: 'KJOBS_POD_EVICTION_SECONDS', unit: 's', default: 10, help: 'Then, after this long, the pods of a NotReady node fail.' }),
  cronTimeZone: custom({ env: 'KJOBS_CRON_TIME_ZONE', type: 'time zone', parse: parseTimeZone, default: 'UTC', help: 'Time zone of CronJobs without spec.timeZone.' }),
  clusterCIDR: c.clusterCIDR,
  memqUrl: c.memqUrl,
  memqPoll: duration({ env: 'KJOBS_MEMQ_POLL_MS', unit: 'ms', default: 2000, help: 'Queue-aware completion: how often a queue not yet drained is looked at.' }),
  nodeCIDRMaskSize: int({ env: 'KJOBS_NODE_CIDR_MASK_SIZE', min: 1, max: 128, default: 24, help: 'Prefix length of each node\'s pod CIDR.' }),
  leaderIdentity: c.leaderIdentity, httpAddr: c.httpAddr, addrFile: c.addrFile, logLevel: c.logLevel,
});
