# runbox API image. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t runbox-api .
# The API needs no privileges and no language runtimes: it validates, queues, reads Redis and
# delivers webhooks (as `node`, never as root).

# ---- build: compile the TypeScript workspaces -------------------------------------------------
# worker.Dockerfile's build stage starts with the same instructions, so a build of both images
# runs `npm ci` and `tsc -b` once: the second build takes these layers from the cache.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY libs/contract/package.json libs/contract/
COPY libs/config/package.json libs/config/
COPY libs/queue/package.json libs/queue/
COPY libs/languages/package.json libs/languages/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY apps apps
RUN npx tsc -b tsconfig.build.json && npm prune --omit=dev

# ---- runtime ------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/libs libs
COPY --from=build /src/apps/api apps/api
# The API reads the language table to validate `language` (the worker reports what is installed).
USER node
EXPOSE 3000
# PORT, not 3000: the probe must follow the setting (HOST=0.0.0.0 also answers on loopback).
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# --max-semi-space-size: see NODE_ARGS in scripts/local-redis.js (fewer young-generation GCs per job)
CMD ["node", "--max-semi-space-size=32", "apps/api/dist/main.js"]
