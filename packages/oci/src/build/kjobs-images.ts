/**
 * The images kjobs builds of its own programs, standing in offline for the ones the book pulls:
 * `gcr.io/kuar-demo/kuard-amd64` (kuard bundled into one JS file at /kuard, run by a node copied
 * from this machine) and `docker.io/library/busybox` (Debian's busybox-static).
 */
import { baseEntries, busyboxEntries, busyboxVersion, nodeRuntimeEntries, withParentDirs } from './rootfs.js';
import type { ImageSpec } from './image.js';

/** The kuard image's name (without tag). */
export const KUARD_IMAGE = 'gcr.io/kuar-demo/kuard-amd64';
/** Its tags: the book's `:blue` (Jobs chapter) and the other published colors and numbers. */
export const KUARD_TAGS = ['blue', 'green', 'purple', '1', '2', '3'] as const;
/** The busybox image's name (without tag). */
export const BUSYBOX_IMAGE = 'docker.io/library/busybox';

/** `bundle` with `#!/usr/bin/node` as its first line (replacing a shebang it has). */
export function withNodeShebang(bundle: Buffer): Buffer {
  const text = bundle.toString('utf8');
  return Buffer.from(`#!/usr/bin/node\n${text.startsWith('#!') ? text.slice(text.indexOf('\n') + 1) : text}`);
}

/**
 * The kuard image, shaped like the published one (kuard's Dockerfile): /kuard (mode 0755, run by
 * /usr/bin/node through its shebang), `USER nobody:nobody`, `CMD ["/kuard"]`, no ENTRYPOINT,
 * port 8080. One layer: the node runtime, /etc/passwd and /etc/group, /tmp and /kuard.
 */
export function kuardImageSpec(o: { bundle: Buffer; nodePath: string }): ImageSpec {
  return {
    name: KUARD_IMAGE,
    tags: [...KUARD_TAGS],
    layers: [withParentDirs([
      ...baseEntries(),
      ...nodeRuntimeEntries(o.nodePath),
      { type: 'file', path: 'kuard', mode: 0o755, data: withNodeShebang(o.bundle) },
    ])],
    config: { user: 'nobody:nobody', cmd: ['/kuard'], exposedPorts: ['8080/tcp'] },
  };
}

/**
 * The busybox image: /bin/busybox (must be statically linked), one symlink per applet, the user
 * database and /tmp, `CMD ["sh"]`, run as root like the published one. Tags: `latest`, the
 * binary's version (`1.35.0`) and its minor (`1.35`).
 */
export function busyboxImageSpec(o: { busyboxPath: string }): ImageSpec {
  const version = busyboxVersion(o.busyboxPath);
  return {
    name: BUSYBOX_IMAGE,
    tags: ['latest', version, version.split('.').slice(0, 2).join('.')],
    layers: [withParentDirs([...baseEntries(), ...busyboxEntries(o.busyboxPath)])],
    config: { cmd: ['sh'] },
  };
}
