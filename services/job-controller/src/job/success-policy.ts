/**
 * successPolicy matching (Kubernetes success_policy.go): the first rule met declares the Indexed
 * Job successful with the message `Matched rules at index <i>`.
 */
import type { Job } from '@kjobs/api';
import { countIndexes, parseIndexes, type Intervals } from './indexes.js';

/** Which rule matched and the SuccessCriteriaMet message for it. */
export interface SuccessPolicyMatch {
  ruleIndex: number;
  message: string;
}

/**
 * Evaluate the rules in order against the succeeded indexes:
 * - `succeededIndexes` only: every listed index (< completions) has succeeded;
 * - `succeededCount` only: at least that many indexes have succeeded;
 * - both: at least `succeededCount` of the listed indexes have succeeded.
 * A rule whose `succeededIndexes` parses to nothing is skipped. No succeeded index → no match.
 */
export function matchSuccessPolicy(policy: Job['spec']['successPolicy'], completions: number, succeeded: Intervals): SuccessPolicyMatch | null {
  if (!policy || succeeded.length === 0) return null;
  for (const [i, rule] of (policy.rules ?? []).entries()) {
    if (rule.succeededIndexes !== undefined) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      if (matchesIndexesRule(required, succeeded, rule.succeededCount)) return matched(i);
    } else if (rule.succeededCount !== undefined && countIndexes(succeeded) >= rule.succeededCount) {
      return matched(i);
    }
  }
  return null;
}

function matched(i: number): SuccessPolicyMatch {
  return { ruleIndex: i, message: `Matched rules at index ${i}` };
}

function matchesIndexesRule(rule: Intervals, succeeded: Intervals, count: number | undefined): boolean {
  let contains = 0;
  let s = 0;
  let r = 0;
  while (r < rule.length && s < succeeded.length) {
    const ri = rule[r]!;
    const si = succeeded[s]!;
    const overlap = Math.min(ri.last, si.last) - Math.max(ri.first, si.first) + 1;
    if (overlap > 0) contains += overlap;
    if (si.last < ri.last) s++;
    else if (si.last > ri.last) r++;
    else {
      s++;
      r++;
    }
  }
  return contains === countIndexes(rule) || (count !== undefined && contains >= count);
}
