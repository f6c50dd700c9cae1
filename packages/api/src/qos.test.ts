import { describe, expect, it } from 'vitest';
import type { Container } from './types.js';
import { type QosClass, qosClass } from './qos.js';

const c = (resources?: Container['resources']): Container => ({ name: 'c', ...(resources ? { resources } : {}) });

describe('qosClass', () => {
  it.each<[string, Container[], Container[], QosClass]>([
    ['nothing set', [c()], [], 'BestEffort'],
    ['zero requests count as unset', [c({ requests: { cpu: '0' } })], [], 'BestEffort'],
    ['requests only', [c({ requests: { cpu: '100m' } })], [], 'Burstable'],
    ['limits = requests for cpu and memory', [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })], [], 'Guaranteed'],
    ['limits only (requests default to limits)', [c({ limits: { cpu: '1', memory: '1Gi' } })], [], 'Guaranteed'],
    ['limits differ from requests', [c({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })], [], 'Burstable'],
    ['memory limit missing', [c({ limits: { cpu: '1' } })], [], 'Burstable'],
    ['one guaranteed, one empty', [c({ limits: { cpu: '1', memory: '1Gi' } }), c()], [], 'Burstable'],
    ['init container counts', [c()], [c({ requests: { memory: '1Mi' } })], 'Burstable'],
  ])('%s → %s', (_n, containers, initContainers, want) => {
    expect(qosClass({ containers, initContainers })).toBe(want);
  });
});
