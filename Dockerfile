# One image for every kjobs service; docker-compose.yml picks the entry point per service.
#
# Node 24 (the LTS line), Debian 12, pinned by digest: node:24-bookworm-slim (Node 24.18.1) as
# Docker Hub's index lists it. A machine without Docker Hub builds scripts/docker/base-image.sh
# (the same Debian and Node, from deb.debian.org and the npm registry) and passes
#   docker build --build-arg BASE_IMAGE=kjobs-base:node24-bookworm .
ARG BASE_IMAGE=node:24-bookworm-slim@sha256:235600a8101ab264e117b1768e925532262668dc9b581ef1dd7d96ced463b8e7

# Build: every dependency (dev too), the services and compose one-shots bundled into single ESM
# files, kuard's bundles, the dashboard's browser script, and the kubelet-agent's C helpers; what
# the runtime needs is gathered in /out with the paths the bundles expect.
FROM ${BASE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY services ./services
COPY scripts ./scripts
# Certificates to trust for the npm registry beyond the system's, as PEM text: the CA of a
# TLS-inspecting proxy where the build machine sits behind one (the docker test passes it).
# Only this stage sees it; the runtime image does not.
ARG EXTRA_CA_CERTS=""
RUN if [ -n "$EXTRA_CA_CERTS" ]; then printf '%s\n' "$EXTRA_CA_CERTS" > /tmp/extra-ca.crt; fi \
 && NODE_EXTRA_CA_CERTS=$([ -s /tmp/extra-ca.crt ] && echo /tmp/extra-ca.crt) npm ci --no-audit --no-fund --ignore-scripts
RUN node scripts/docker/bundle.mjs \
 && node packages/kuard/scripts/build.mjs \
 && npx tsx scripts/docker/prebuild.ts \
 && mkdir -p /out/libexec /out/app \
 && cc -O2 -Wall -o /out/libexec/kjobs-launcher services/kubelet-agent/native/kjobs-launcher.c \
 && cc -O2 -Wall -o /out/libexec/kjobs-nsdial services/kubelet-agent/native/kjobs-nsdial.c \
 && cp --parents services/*/dist/main.mjs services/api-server/dist/dashboard-client.js scripts/dist/*.mjs \
      packages/kuard/dist/kuard.mjs packages/kuard/dist/kuard-image.cjs services/kubelet-agent/native/*.c /out/app/ \
 && cp -r --parents packages/store/src/lua packages/memq/src/lua services/api-server/src/lua /out/app/

# Runtime: node, the bundles and the files they read beside their sources (Lua scripts, the C
# sources the agent hashes), no node_modules. Pods run as host processes inside the
# kubelet-agent container or as runc containers: runc, the CNI plugins and iproute2 for the pod
# network, attr for overlay whiteouts, busybox-static, which the local busybox image is built from,
# and haproxy for the HA layout's load balancer (docker-compose.ha.yml, scripts/compose-haproxy.ts).
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates procps runc busybox-static iproute2 containernetworking-plugins attr haproxy \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
WORKDIR /app
COPY --from=build /out/libexec/ /usr/local/libexec/kjobs/
COPY --from=build /out/app/ /app/
ENV NODE_ENV=production \
    KJOBS_LAUNCHER=/usr/local/libexec/kjobs/kjobs-launcher \
    KJOBS_NSDIAL=/usr/local/libexec/kjobs/kjobs-nsdial \
    KJOBS_HEALTHZ_URL=https://127.0.0.1:6443/healthz
USER node
# Each service's /healthz (compose sets KJOBS_HEALTHZ_URL per service). The api-server's cert is
# its own CA's: on loopback the check asks whether it answers, not who it is.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "process.env.NODE_TLS_REJECT_UNAUTHORIZED='0';process.emitWarning=()=>{};fetch(process.env.KJOBS_HEALTHZ_URL,{signal:AbortSignal.timeout(2500)}).then((r)=>process.exit(r.ok?0:1),(e)=>{console.error(e.cause?.message??e.message);process.exit(1)})"]
# Default: the api-server; compose overrides `command` per service.
CMD ["node", "services/api-server/dist/main.mjs"]
