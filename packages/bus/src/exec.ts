/**
 * `kubectl exec` between the api-server and a kubelet-agent (`<p>.node.<node>.exec`, a duplex
 * stream: see requestDuplex). Both directions carry Kubernetes' remotecommand channel bytes, so
 * the api-server relays them to and from the WebSocket (`v4`/`v5.channel.k8s.io`) unchanged:
 * every chunk is one channel byte and its payload.
 */

/** An exec request, api-server → the kubelet-agent of the pod's node. */
export interface ExecRequest {
  namespace: string;
  name: string;
  uid: string;
  container: string;
  /** argv, at least one element. */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The remotecommand channels (k8s.io/apimachinery/pkg/util/remotecommand). */
export const ExecChannel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** One chunk on a channel: the channel byte, then the payload. */
export function channelChunk(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** The metav1.Status a finished command reports on the error channel (`kubectl exec` exits with the code). */
export interface ExitStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/**
 * The error-channel Status for an exit code, as the kubelet writes it: Success for 0, else
 * reason NonZeroExitCode with an ExitCode cause that client-go turns into the process's exit code.
 */
export function exitCodeStatus(code: number): ExitStatus {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}
