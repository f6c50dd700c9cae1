import type { PulledImage } from '@kjobs/oci';
import { formatGoDuration } from '../backoff.js';
import type { PullCredentials } from './pull-secrets.js';

/** What the puller needs from the node's image store. */
export interface ImageSource {
  pull(image: string, opts?: { credentials?: PullCredentials['credentials'] }): Promise<{ image: PulledImage; durationMs: number }>;
  get(image: string): Promise<PulledImage | undefined>;
}

/** Image-pull backoff: the kubelet's 10 s doubling to 300 s, per pod and image. */
export interface PullBackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** The outcome: the image, or why the container waits (and until when). */
export type EnsureResult =
  | { image: PulledImage }
  | { waiting: { reason: string; message: string; retryAtMs: number } };

/**
 * The kubelet's image manager (pkg/kubelet/images): pull policy, backoff and events, worded as
 * kubelet 1.32 words them.
 * - IfNotPresent / Never with the image present: `Pulled` "Container image … already present on machine";
 * - Never without it: `ErrImageNeverPull`;
 * - a pull: `Pulling`, then `Pulled` "Successfully pulled image … in 1.2s (1.2s including waiting). Image size: N bytes.",
 *   or `Failed` "Failed to pull image …: <error>" and the container waits in `ErrImagePull`;
 * - while the backoff after a failure lasts, the container waits in `ImagePullBackOff`
 *   (`BackOff` "Back-off pulling image …"), then the pull is tried again.
 */
export class ImagePuller {
  private readonly backoff = new Map<string, { untilMs: number; delayMs: number }>();

  constructor(
    private readonly store: ImageSource,
    private readonly opts: PullBackoffOptions = { initialMs: 10_000, maxMs: 300_000 },
  ) {}

  /**
   * Make the image available for a container of a pod. `waitingReason` is the container's
   * current waiting reason (events are emitted when the state is entered, not on every retry).
   */
  async ensure(i: {
    podUid: string;
    image: string;
    policy: string;
    waitingReason: string | undefined;
    now: () => number;
    event: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
    /** The pod's pull secrets for this image (pull-secrets.ts): tried in order; unreadable ones are reported. */
    pullSecrets?: PullCredentials;
  }): Promise<EnsureResult> {
    const { image, event } = i;
    const present = await this.store.get(image).catch(() => undefined);
    if (i.policy === 'Never' || (i.policy === 'IfNotPresent' && present)) {
      if (present) {
        event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { image: present };
      }
      const message = `Container image "${image}" is not present with pull policy of Never`;
      if (i.waitingReason !== 'ErrImageNeverPull') event('Warning', 'ErrImageNeverPull', message);
      return { waiting: { reason: 'ErrImageNeverPull', message, retryAtMs: i.now() + this.opts.initialMs } };
    }
    const key = `${i.podUid}/${image}`;
    const b = this.backoff.get(key);
    const now = i.now();
    if (b && now < b.untilMs) {
      const message = `Back-off pulling image "${image}"`;
      if (i.waitingReason !== 'ImagePullBackOff') {
        event('Normal', 'BackOff', message);
        event('Warning', 'Failed', 'Error: ImagePullBackOff');
      }
      return { waiting: { reason: 'ImagePullBackOff', message, retryAtMs: b.untilMs } };
    }
    const missing = i.pullSecrets?.missing ?? [];
    if (missing.length) event('Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`);
    event('Normal', 'Pulling', `Pulling image "${image}"`);
    const started = i.now();
    try {
      const credentials = i.pullSecrets?.credentials ?? [];
      const { image: pulled, durationMs } = await this.store.pull(image, credentials.length ? { credentials } : {});
      this.backoff.delete(key);
      const total = i.now() - started;
      event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${formatGoDuration(Math.round(durationMs))} (${formatGoDuration(Math.round(total))} including waiting). Image size: ${pulled.size} bytes.`);
      return { image: pulled };
    } catch (err) {
      const message = (err as Error).message;
      const delayMs = b ? Math.min(b.delayMs * 2, this.opts.maxMs) : this.opts.initialMs;
      this.backoff.set(key, { untilMs: i.now() + delayMs, delayMs });
      event('Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      // Shown for a moment, then ImagePullBackOff until the backoff ends (as the kubelet's next sync does).
      return { waiting: { reason: 'ErrImagePull', message, retryAtMs: i.now() + Math.min(1_000, delayMs / 2) } };
    }
  }

  /** Forget a pod's backoff entries (the pod is gone). */
  forgetPod(podUid: string): void {
    for (const k of this.backoff.keys()) if (k.startsWith(`${podUid}/`)) this.backoff.delete(k);
  }
}
