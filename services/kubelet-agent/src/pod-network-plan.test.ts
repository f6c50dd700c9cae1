import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { podNetworkUnavailable } from './network/index.js';
import { PodNetworkPlan } from './pod-network-plan.js';

const log = pino({ level: 'silent' });
const why = podNetworkUnavailable();

describe('PodNetworkPlan.decide', () => {
  it('auto gives every runtime the pod network where the machine allows it, else says why', () => {
    const plan = PodNetworkPlan.decide('auto', { rootDir: '/nonexistent', log });
    expect(plan.description).toBe(why ? `loopback: ${why}` : 'cni');
    expect(!!plan.network).toBe(!why);
  });

  it('off keeps loopback addresses and says it was turned off', () => {
    const plan = PodNetworkPlan.decide('off', { rootDir: '/nonexistent', log });
    expect(plan.description).toBe('loopback: turned off (KJOBS_POD_NETWORK=off)');
    expect(plan.network).toBeUndefined();
  });

  it('on where the machine cannot is an error naming the reason', () => {
    if (why) expect(() => PodNetworkPlan.decide('on', { rootDir: '/nonexistent', log })).toThrow(`KJOBS_POD_NETWORK=on: ${why}`);
    else expect(PodNetworkPlan.decide('on', { rootDir: '/nonexistent', log }).description).toBe('cni');
  });
});
