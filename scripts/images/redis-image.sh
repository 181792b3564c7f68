#!/usr/bin/env bash
# Makes sure podman has redis:7-bookworm (compose's and the image test's Redis): pulled where a
# registry is reachable, else a stand-in built from the node base image (Debian bookworm) and
# Debian's redis-server 7, with the official image's /data working directory and CMD.
set -euo pipefail
IMAGE=docker.io/library/redis:7-bookworm
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}
podman image exists "$IMAGE" && exit 0
timeout 60 podman pull -q "$IMAGE" >/dev/null 2>&1 && exit 0
echo "redis-image: no registry reachable; building a stand-in for $IMAGE" >&2
podman build -q --network host --format docker -t "$IMAGE" -f - . >/dev/null <<'DOCKERFILE'
FROM docker.io/library/node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data
WORKDIR /data
ENTRYPOINT []
CMD ["redis-server"]
DOCKERFILE
