/**
 * podFailurePolicy matching (Kubernetes pod_failure_policy.go): rules are tried in order and the
 * first match decides what a failed pod means for the Job.
 */
import type { ContainerStatus, Job, Pod, PodCondition, PodFailurePolicyOnExitCodesRequirement, PodFailurePolicyOnPodConditionsPattern } from '@kjobs/api';

/** A podFailurePolicy action. */
export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

/** What a failed pod means under the policy. */
export interface PodFailurePolicyMatch {
  /** The matched rule's action; null when no rule matched (default handling = Count). */
  action: PodFailurePolicyAction | null;
  /** Index of the matched rule, or -1. */
  ruleIndex: number;
  /** False only for an Ignore match: the failure is not counted toward `failed` or any limit. */
  countFailed: boolean;
  /** For FailJob: the Job failure message, exactly as Kubernetes words it. */
  failJobMessage?: string;
}

const NO_MATCH: PodFailurePolicyMatch = Object.freeze({ action: null, ruleIndex: -1, countFailed: true });

/**
 * Match a failed pod against the policy (`matchPodFailurePolicy`). Exit-code rules look at
 * terminated containers with a non-zero exit code, app containers first, then init containers;
 * condition rules match any pod condition with the same type and status (status defaults to True).
 */
export function matchPodFailurePolicy(policy: Job['spec']['podFailurePolicy'], pod: Pod): PodFailurePolicyMatch {
  if (!policy) return NO_MATCH;
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  for (const [i, rule] of (policy.rules ?? []).entries()) {
    if (rule.onExitCodes) {
      const cs = matchOnExitCodes(pod, rule.onExitCodes);
      if (!cs) continue;
      if (rule.action === 'FailJob') {
        const msg = `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${cs.state.terminated!.exitCode} matching FailJob rule at index ${i}`;
        return { action: 'FailJob', ruleIndex: i, countFailed: true, failJobMessage: msg };
      }
      return actionMatch(rule.action, i);
    } else if (rule.onPodConditions) {
      const cond = matchOnPodConditions(pod, rule.onPodConditions);
      if (!cond) continue;
      if (rule.action === 'FailJob') {
        const msg = `Pod ${ns}/${name} has condition ${cond.type} matching FailJob rule at index ${i}`;
        return { action: 'FailJob', ruleIndex: i, countFailed: true, failJobMessage: msg };
      }
      return actionMatch(rule.action, i);
    }
  }
  return NO_MATCH;
}

function actionMatch(action: PodFailurePolicyAction, ruleIndex: number): PodFailurePolicyMatch {
  return { action, ruleIndex, countFailed: action !== 'Ignore' };
}

function matchOnExitCodes(pod: Pod, req: PodFailurePolicyOnExitCodesRequirement): ContainerStatus | undefined {
  return firstMatchingContainer(pod.status?.containerStatuses, req) ?? firstMatchingContainer(pod.status?.initContainerStatuses, req);
}

function firstMatchingContainer(list: ContainerStatus[] | undefined, req: PodFailurePolicyOnExitCodesRequirement): ContainerStatus | undefined {
  for (const cs of list ?? []) {
    const t = cs.state?.terminated;
    if (!t) continue; // still running or terminating: no exit code yet
    if (req.containerName !== undefined && req.containerName !== cs.name) continue;
    if (t.exitCode === 0) continue; // a zero exit code never matches
    const listed = req.values.includes(t.exitCode);
    if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false) return cs;
  }
  return undefined;
}

function matchOnPodConditions(pod: Pod, patterns: PodFailurePolicyOnPodConditionsPattern[]): PodCondition | undefined {
  for (const c of pod.status?.conditions ?? []) {
    for (const p of patterns) {
      if (c.type === p.type && c.status === (p.status ?? 'True')) return c;
    }
  }
  return undefined;
}

/** The FailJob message of the first failed pod that matches a FailJob rule, if any (`getFailJobMessage`). */
export function failJobMessage(job: Job, pods: readonly Pod[], isFailed: (p: Pod) => boolean): string | undefined {
  if (!job.spec.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isFailed(p)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage) return m.failJobMessage;
  }
  return undefined;
}
