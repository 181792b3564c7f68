#!/usr/bin/env bash
# `npm run setup`: once, as root, on a fresh Debian/Ubuntu machine. Installs with apt-get only
# what is missing (Redis, build tools, libseccomp, bubblewrap for the benchmark, the language
# runtimes, clang-format for `npm run lint`), then `npm ci` and the builds (native launcher +
# TypeScript apps). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

# command -> Debian package providing it
declare -A NEED=(
  [redis-server]=redis-server
  [make]=make
  [gcc]=gcc
  [g++]=g++
  [pkg-config]=pkg-config
  [bwrap]=bubblewrap
  [python3]=python3
  [ruby]=ruby
  [javac]=openjdk-17-jdk-headless
  [bash]=bash
  [clang-format]=clang-format
)
missing=()
for cmd in "${!NEED[@]}"; do
  # runtimes are looked up where the sandbox will use them (/usr/bin), not via PATH shims
  if [ ! -x "/usr/bin/$cmd" ] && [ ! -x "/bin/$cmd" ]; then missing+=("${NEED[$cmd]}"); fi
done
dpkg -s libseccomp-dev >/dev/null 2>&1 || missing+=(libseccomp-dev)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing packages: ${missing[*]} — run as root (or install them) and try again"; exit 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "system packages already present"
fi

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)')
[ "$node_ok" = 1 ] || { log "Node.js >= 20.19 is required (found $(node --version))"; exit 1; }

log "npm ci"
npm ci --no-audit --no-fund
log "building the launcher and the apps"
npm run build
log "done: \`npm start\` runs the service, \`npm test\` runs the tests"
