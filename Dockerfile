# One image for every kjobs service; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim
WORKDIR /app
# Pods run as host processes inside the kubelet-agent container: give them a shell and coreutils.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates procps && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
COPY services ./services
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm install --no-save --no-audit --no-fund tsx@4 && node packages/kuard/scripts/build.mjs
USER node
ENV NODE_ENV=production
# Default: the api-server; compose overrides `command` per service.
CMD ["node", "--import", "tsx", "services/api-server/src/main.ts"]
