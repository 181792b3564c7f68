# runbox worker image: the BullMQ worker, the native launcher and the language runtimes.
#   docker build -f docker/worker.Dockerfile -t runbox-worker .
# Run it with exactly the privileges in docker/compose.yml (README "Deploy"): no --privileged.

# ---- build: the TypeScript workspaces (the same layers as api.Dockerfile's build stage) ---------
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

# ---- native: the launcher (C); rebuilt only when native/ changes --------------------------------
FROM node:24-bookworm-slim AS native
RUN apt-get update && apt-get install -y --no-install-recommends make gcc libc6-dev libseccomp-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY native native
RUN make -C native

# ---- typescript: tsc and @types/node for sandboxed programs, the repository's own versions -------
# (as scripts/setup.sh installs them: a folder of their own, never the worker's node_modules)
FROM node:24-bookworm-slim AS typescript
COPY package.json /tmp/package.json
RUN cd /tmp && npm install --prefix /usr/local/lib/runbox/typescript --no-save --no-audit --no-fund --no-package-lock \
      "typescript@$(node -p 'require("./package.json").devDependencies.typescript')" \
      "@types/node@$(node -p 'require("./package.json").devDependencies["@types/node"]')"

# ---- runtimes: the sandboxes' own tree (SANDBOX_ROOTFS) ------------------------------------------
# The runtimes the language table names, at the paths it names: setup.sh's default language set
# (its optional heavy ones, go, rust and csharp, are not installed). The sandboxes' read-only binds
# (/usr, /lib, /etc/...) come from this tree, copied to /opt/runbox/rootfs below, never from the
# worker's own: no file the root worker executes (its node, its libc, its JavaScript) is readable
# in a sandbox, so a kernel page-cache write bug (Dirty Pipe and the like) cannot reach them.
FROM node:24-bookworm-slim AS runtimes
# Trimmed where it costs nothing runbox uses (about 135 MB): the JDK's jmods (75 MB; only jlink
# reads them), npm and Node's headers (60 MB; the worker and the language table run node, never npm).
# The launcher is linked statically: no libseccomp here.
RUN apt-get update && apt-get install -y --no-install-recommends \
      python3 ruby gcc g++ libc6-dev openjdk-17-jdk-headless bash lua5.4 perl php-cli fp-compiler pylint \
    && rm -rf /var/lib/apt/lists/* /usr/lib/jvm/*/jmods \
      /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/include/node \
    # the language table runs node as /usr/bin/node
    && ln -sf /usr/local/bin/node /usr/bin/node
COPY --from=typescript /usr/local/lib/runbox/typescript /usr/local/lib/runbox/typescript

# ---- the worker: Node, the launcher, the worker's JavaScript, and the sandboxes' tree -------------
FROM node:24-bookworm-slim
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/include/node
COPY --from=runtimes / /opt/runbox/rootfs/
ENV SANDBOX_ROOTFS=/opt/runbox/rootfs
ENV NODE_ENV=production WORKSPACE_DIR=/var/lib/runbox/slots LAUNCHER_PATH=/app/native/build/runbox-launcher
WORKDIR /app
COPY docker/worker-entrypoint.sh /usr/local/bin/runbox-worker-entrypoint
COPY --from=native /src/native/build/runbox-launcher native/build/runbox-launcher
COPY --from=native /src/native/README.md native/README.md
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/libs libs
COPY --from=build /src/apps/worker apps/worker
# Privileges (docker/compose.yml, deploy/kubernetes, README "Deploy"): the Node process and the
# launcher run as root in the container with a short capability list and our seccomp profile
# (docker/worker-seccomp.json); the sandboxed programs never get any of it: they run as uid
# BASE+slot with no capabilities, no_new_privs and the launcher's own seccomp filter.
USER root
ENTRYPOINT ["runbox-worker-entrypoint"]
# --max-semi-space-size: see NODE_ARGS in scripts/local-redis.js (fewer young-generation GCs per job)
CMD ["node", "--max-semi-space-size=32", "apps/worker/dist/main.js"]
