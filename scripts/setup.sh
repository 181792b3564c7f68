#!/usr/bin/env bash
# `npm run setup`: once, as root, on a fresh Debian/Ubuntu machine. Installs with apt-get only
# what is missing (Redis, build tools, libseccomp, bubblewrap for the benchmark, uidmap for a
# rootless worker, the language runtimes, clang-format for `npm run lint`), then `npm ci` and the builds (native launcher +
# TypeScript apps). Idempotent.
# Languages: a default set that is cheap to install; `--languages all` (or RUNBOX_LANGUAGES=all)
# adds the heavy ones but Octave, `--languages go,rust` only those, `all,octave` everything. A language whose runtime is missing is
# simply not offered (GET /v1/languages lists what the workers detect).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

languages=${RUNBOX_LANGUAGES:-default}
while [ $# -gt 0 ]; do
  case $1 in
    --languages) languages=${2:?--languages needs default, all or a list of ids}; shift 2 ;;
    --languages=*) languages=${1#*=}; shift ;;
    *) log "unknown option $1 (known: --languages default|all|ID,ID...)"; exit 64 ;;
  esac
done

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
  # the launcher's TAP suite reads its JSON with jq; test/rootless/run.sh talks HTTP with curl
  [jq]=jq
  [curl]=curl
  # a worker without host root maps its subordinate ids with these (README "Rootless worker")
  [newuidmap]=uidmap
)

# The default set's cheap additions (a few MB at most; Debian always has perl).
NEED+=([lua5.4]=lua5.4 [perl]=perl)
# Jobe's (Moodle CodeRunner's) languages, and the pylint its Python questions run in the sandbox.
NEED+=([php]=php-cli [fpc]=fp-compiler [pylint]=pylint)
# Beyond the default set, by language id: the command looked for, then its packages. Download
# size on Debian 12: go 81 MB (442 MB installed), rust 55 MB (261 MB), csharp 7 MB (24 MB).
declare -A OPTIONAL=(
  [go]="go golang-go"
  [rust]="rustc rustc"
  [csharp]="mcs mono-mcs mono-runtime"
  # Jobe's octave: hundreds of MB with its dependencies, so only when named (`all,octave`)
  [octave]="octave-cli octave"
)
BY_NAME_ONLY=" octave "
wanted=()
IFS=, read -r -a asked <<<"$languages"
for id in "${asked[@]}"; do
  case $id in
    default) ;;
    all) for o in "${!OPTIONAL[@]}"; do [[ $BY_NAME_ONLY == *" $o "* ]] || wanted+=("$o"); done ;;
    *) wanted+=("$id") ;;
  esac
done
for id in "${wanted[@]}"; do
  [ -n "${OPTIONAL[$id]:-}" ] || { log "no optional language \"$id\" (known: ${!OPTIONAL[*]})"; exit 64; }
  read -r cmd pkgs <<<"${OPTIONAL[$id]}"
  NEED[$cmd]=$pkgs
done
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
  # word splitting on purpose: an entry may name several packages
  # shellcheck disable=SC2068
  apt-get install -y -qq --no-install-recommends ${missing[@]}
else
  log "system packages already present"
fi

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)')
[ "$node_ok" = 1 ] || { log "Node.js >= 20.19 is required (found $(node --version))"; exit 1; }

log "npm ci"
npm ci --no-audit --no-fund

# TypeScript for sandboxed programs: tsc and @types/node in a folder of their own under /usr (which
# every sandbox sees read-only), never the worker's node_modules. Same versions as the repo's own.
TS_DIR=/usr/local/lib/runbox/typescript
ts_version=$(node -p 'require("./package.json").devDependencies.typescript')
types_version=$(node -p 'require("./package.json").devDependencies["@types/node"]')
have_ts=$(node -p "try { require('$TS_DIR/node_modules/typescript/package.json').version } catch { '' }")
if [ "$have_ts" = "$ts_version" ]; then
  log "TypeScript $ts_version for sandboxed programs already present"
elif [ "$(id -u)" = 0 ]; then
  log "installing TypeScript $ts_version for sandboxed programs in $TS_DIR"
  mkdir -p "$TS_DIR"
  npm install --prefix "$TS_DIR" --no-save --no-audit --no-fund --no-package-lock "typescript@$ts_version" "@types/node@$types_version"
else
  log "TypeScript for sandboxed programs not installed: run as root to put it in $TS_DIR"
fi

# Java: a class-data-sharing archive (AppCDS) of javac's own classes, dumped while it compiles a
# small program with the flags languages.json gives javac; javac then starts in about half the
# time (README, languages table). Remade on every setup, so after a JDK upgrade run setup again: the
# JVM ignores a stale or missing archive (-Xshare:auto) and only loses the gain.
java_cds=$(node -p 'const j = require("./libs/languages/languages.json").languages.find((l) => l.id === "java");
  const argv = j ? j.compile.argv : []; const a = argv.find((x) => x.includes("SharedArchiveFile="));
  a ? [a.split("=")[1], ...argv.filter((x) => x.startsWith("-J") && x !== a)].join(" ") : ""')
if [ -n "$java_cds" ] && [ -x /usr/bin/javac ] && [ "$(id -u)" = 0 ]; then
  read -r jsa javac_flags <<<"$java_cds"
  log "dumping javac's class-data-sharing archive to $jsa"
  mkdir -p "$(dirname "$jsa")"
  src=$(mktemp -d)
  cat >"$src/Main.java" <<'JAVA'
import java.util.*;
import java.util.stream.*;

public class Main {
    record Pair(String key, int value) {}

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        Map<String, List<Integer>> groups = new TreeMap<>();
        List<Pair> pairs = new ArrayList<>(List.of(new Pair("a", 1), new Pair("b", 2)));
        for (Pair p : pairs) groups.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.value());
        String joined = pairs.stream().map(Pair::key).sorted(Comparator.reverseOrder()).collect(Collectors.joining(","));
        switch (joined) {
            case "b,a" -> System.out.println(String.format("%s %d", joined, groups.size()));
            default -> System.out.println(in.hasNext() ? in.next() : "");
        }
    }
}
JAVA
  # shellcheck disable=SC2086 # the flags are separate words
  /usr/bin/javac $javac_flags "-J-XX:ArchiveClassesAtExit=$jsa.new" -d "$src" "$src/Main.java"
  mv -f "$jsa.new" "$jsa"
  rm -rf "$src"
fi
log "building the launcher and the apps"
npm run build
log "done: \`npm start\` runs the service, \`npm test\` runs the tests"
