#!/usr/bin/env node
// Prints the worker's privileges from docker/compose.yml as podman/docker run flags, one a line,
// so the image test runs the worker with exactly what compose (and the README) grant.
// `--json` prints them as {capAdd, capDrop, securityOpt, cgroup} for the manifest checks.
'use strict';
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const yaml = require('js-yaml');

const dir = join(__dirname, '../../docker');
const worker = yaml.load(readFileSync(join(dir, 'compose.yml'), 'utf8')).services.worker;
const securityOpt = worker.security_opt.map((o) => o.replace(/^seccomp=(?!\/)/, `seccomp=${resolve(dir)}/`));
const priv = { capDrop: worker.cap_drop, capAdd: worker.cap_add, securityOpt, cgroup: worker.cgroup, tmpfs: worker.tmpfs };
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(priv));
} else {
  const flags = [
    ...priv.capDrop.map((c) => `--cap-drop=${c}`),
    ...priv.capAdd.map((c) => `--cap-add=${c}`),
    ...priv.securityOpt.map((o) => `--security-opt=${o}`),
    `--cgroupns=${priv.cgroup}`,
    ...priv.tmpfs.map((t) => `--tmpfs=${t}`),
  ];
  console.log(flags.join('\n'));
}
