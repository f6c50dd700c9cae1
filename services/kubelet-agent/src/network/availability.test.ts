import { describe, expect, it } from 'vitest';
import { podNetworkUnavailable, procSysReadOnly } from './availability.js';

// Lines of /proc/self/mountinfo as a Docker container (20.10, not privileged) shows them, and as a host does.
const CONTAINER = [
  '600 500 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w',
  '601 600 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '620 601 0:55 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw',
  '622 601 0:55 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw',
].join('\n');
const HOST = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
].join('\n');
const ALL_CAPS = 'Name:\tnode\nCapEff:\t000001ffffffffff\n';

describe('procSysReadOnly', () => {
  it('is true where /proc/sys is mounted read-only over a writable /proc (a container)', () => {
    expect(procSysReadOnly(CONTAINER)).toBe(true);
  });
  it('is false on a host with a writable /proc and no mount of its own on /proc/sys', () => {
    expect(procSysReadOnly(HOST)).toBe(false);
  });
  it('takes the mount made last where two are on /proc/sys', () => {
    expect(procSysReadOnly(`${CONTAINER}\n700 601 0:55 /sys /proc/sys rw,nosuid - proc proc rw`)).toBe(false);
  });
  it('is false when nothing is known', () => {
    expect(procSysReadOnly('')).toBe(false);
  });
});

describe('podNetworkUnavailable', () => {
  it('names a read-only /proc/sys (the agent in a container then keeps loopback pod addresses)', () => {
    expect(podNetworkUnavailable(undefined, process.env, { status: ALL_CAPS, mountinfo: CONTAINER, uid: 0 })).toMatch(/\/proc\/sys is mounted read-only/);
  });
  it('names a missing CAP_NET_ADMIN', () => {
    // Every capability but bit 12.
    const eff = (0x1ffffffffffn & ~(1n << 12n)).toString(16);
    expect(podNetworkUnavailable(undefined, process.env, { status: `CapEff:\t${eff}\n`, mountinfo: HOST, uid: 0 })).toBe('a pod network needs CAP_NET_ADMIN (this process does not have it)');
  });
  it('names root first when not root', () => {
    expect(podNetworkUnavailable(undefined, process.env, { status: ALL_CAPS, mountinfo: CONTAINER, uid: 1000 })).toMatch(/needs root/);
  });
});
