# runbox worker image: the BullMQ worker, the native launcher and the language runtimes.
#   docker build -f docker/worker.Dockerfile -t runbox-worker .

# ---- build: the launcher (C) and the TypeScript workspaces --------------------------------------
FROM node:24-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends make gcc libc6-dev libseccomp-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
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
COPY native native
RUN make -C native
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY apps apps
RUN npx tsc -b tsconfig.build.json && npm prune --omit=dev

# ---- runtime: runtimes the language table names, at the paths it names --------------------------
FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libseccomp2 python3 ruby gcc g++ libc6-dev openjdk-17-jdk-headless bash php-cli fp-compiler pylint \
    && rm -rf /var/lib/apt/lists/* \
    # the language table runs node as /usr/bin/node
    && ln -sf /usr/local/bin/node /usr/bin/node
ENV NODE_ENV=production WORKSPACE_DIR=/var/lib/runbox/slots
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/libs libs
COPY --from=build /src/apps/worker apps/worker
COPY --from=build /src/native/build/runbox-launcher native/build/runbox-launcher
COPY --from=build /src/native/README.md native/README.md
# Privileges: the launcher must create namespaces (CAP_SYS_ADMIN), write cgroup files, mount
# tmpfs/bind/proc inside the new mount namespace, set uids/gids for the sandboxed program
# (CAP_SETUID/SETGID) and kill its processes. Docker's default seccomp profile and AppArmor
# profile forbid unshare/mount, so the container runs with `privileged: true` in compose.yml;
# on hosts where that is unacceptable, grant instead: cap_add [SYS_ADMIN, SETUID, SETGID,
# SYS_RESOURCE, KILL, DAC_OVERRIDE, CHOWN, FOWNER], security_opt [seccomp=unconfined,
# apparmor=unconfined], and a writable cgroup mount (cgroupns: host, /sys/fs/cgroup rw).
# The sandboxed programs themselves never get any of these: they run as uid BASE+slot with no
# capabilities, no_new_privs and a seccomp filter (native/README.md).
USER root
# --max-semi-space-size: see NODE_ARGS in scripts/local-redis.js (fewer young-generation GCs per job)
CMD ["node", "--max-semi-space-size=32", "apps/worker/dist/main.js"]
