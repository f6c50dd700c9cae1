import { commonSettings as c, defineSettings, duration, int } from '@kjobs/observe';

/** The scheduler's settings (docs/configuration.md is made from them). */
export const schedulerSettings = defineSettings('scheduler', 'binds pods to nodes; runs as leader of the kube-system/kube-scheduler Lease.', {
  natsUrl: c.natsUrl, natsUser: c.natsUser, natsPassword: c.natsPassword, token: c.token, subjectPrefix: c.subjectPrefix,
  workers: int({ env: 'KJOBS_SCHEDULER_WORKERS', min: 1, max: 1024, default: 16, help: 'Pods scheduled at once.' }),
  retryMs: duration({ env: 'KJOBS_SCHEDULER_RETRY_MS', unit: 'ms', default: 10_000, help: 'How often an unschedulable pod is tried again when nothing changes.' }),
  leaderIdentity: c.leaderIdentity, httpAddr: c.httpAddr, addrFile: c.addrFile, logLevel: c.logLevel,
});
