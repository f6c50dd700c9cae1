# One image for every kjobs service; docker-compose.yml picks the entry point per service.
# The kubelet-agent's native container launcher is compiled in a full image (it has cc); the agent
# uses native/kjobs-launcher when it is newer than its source.
FROM node:20-bookworm AS launcher
WORKDIR /app
COPY services/kubelet-agent/native/kjobs-launcher.c services/kubelet-agent/native/
RUN cc -O2 -Wall -o services/kubelet-agent/native/kjobs-launcher services/kubelet-agent/native/kjobs-launcher.c

FROM node:20-bookworm-slim
WORKDIR /app
# Pods run as host processes inside the kubelet-agent container (a shell and coreutils), or as runc
# containers; busybox-static is what the local busybox image is built from (scripts/registry-seed.ts).
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates procps runc busybox-static && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
COPY services ./services
COPY scripts ./scripts
COPY --from=launcher /app/services/kubelet-agent/native/kjobs-launcher services/kubelet-agent/native/kjobs-launcher
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm install --no-save --no-audit --no-fund tsx@4 && node packages/kuard/scripts/build.mjs
USER node
ENV NODE_ENV=production
# Default: the api-server; compose overrides `command` per service.
CMD ["node", "--import", "tsx", "services/api-server/src/main.ts"]
