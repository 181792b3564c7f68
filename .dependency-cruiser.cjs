// The architecture, checked (`npm run arch`). The workspace packages are symlinked into
// node_modules, so the compiler would accept `import '@runbox/worker'` from the API; these rules
// are what refuses it. Each rule names the arrow it keeps; a new arrow is a design change: change
// ALLOWED (and the README's picture) in the same commit.

/** Which workspace packages each package may import. Everything else under apps/ and libs/ is out. */
const ALLOWED = {
  'libs/contract': [], // the job contract: read by all three sides, so it depends on nothing
  'libs/config': ['libs/contract'],
  'libs/languages': ['libs/contract'],
  'libs/queue': ['libs/contract', 'libs/config'],
  // The API and the worker share only the libraries: each deploys and scales without the other.
  'apps/api': ['libs/contract', 'libs/config', 'libs/queue', 'libs/languages'],
  'apps/worker': ['libs/contract', 'libs/config', 'libs/queue', 'libs/languages'],
  // The CLI is shipped to users on its own: it speaks HTTP and knows only the contract.
  'apps/cli': ['libs/contract'],
};

const packageRules = Object.entries(ALLOWED).map(([pkg, allowed]) => ({
  name: `${pkg.replace('/', '-')}-imports-only-${allowed.length ? allowed.map((a) => a.split('/')[1]).join('-') : 'itself'}`,
  severity: 'error',
  comment: `${pkg} may import ${allowed.length ? allowed.join(', ') : 'no other workspace package'}`,
  from: { path: `^${pkg}/` },
  to: { path: '^(apps|libs)/', pathNot: [pkg, ...allowed].map((p) => `^${p}/`) },
}));

module.exports = {
  forbidden: [
    ...packageRules,
    {
      name: 'contract-imports-nothing',
      severity: 'error',
      comment:
        'libs/contract is plain TypeScript (types, as-const tables, defaults) shared by the API, the worker, ' +
        'the CLI and the tests: no framework, no package, no Node built-in',
      from: { path: '^libs/contract/' },
      to: { pathNot: '^libs/contract/' },
    },
    {
      name: 'only-the-sandbox-spawns-processes',
      severity: 'error',
      comment:
        'Only apps/worker/src/sandbox/ starts processes (the launcher), so one place owns how an untrusted ' +
        "program is started, limited and killed (a runtime's version command included: sandbox/versions.ts). " +
        'Scripts, tests and benches are not app code: they start redis-server, ' +
        'the apps, the CLI and the launcher on purpose, and are outside this rule.',
      from: {
        path: '^(apps|libs)/[^/]+/src/',
        pathNot: '^apps/worker/src/sandbox/',
      },
      to: { dependencyTypes: ['core'], path: '^(node:)?child_process$' },
    },
    {
      name: 'compat-goes-through-the-jobs-service',
      severity: 'error',
      comment:
        'A compatibility layer (Judge0, Piston, Jobe shapes) translates requests and answers; queueing, ' +
        'admission and idempotency stay in the jobs service, so it may not reach the queue itself',
      from: { path: '^apps/api/src/compat/' },
      to: { path: ['^libs/queue/', '(^|/)node_modules/(bullmq|@nestjs/bullmq)/', '^(bullmq|@nestjs/bullmq)$'] },
    },
    {
      name: 'no-deep-import-into-a-lib',
      severity: 'error',
      comment: "A lib's surface is its barrel (src/index.ts, or dist/index.js for plain-JS scripts): import @runbox/<lib>",
      from: { path: '^(?:libs/([^/]+)|apps|test|scripts)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/dist/index\\.js$'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve (a workspace package not built, a typo) hides its arrow from these rules',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes import order matter (Nest providers come out undefined)',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
  ],
  options: {
    // Resolve @runbox/* as the compiler does in tests (to libs/*/src), not to the built dist/.
    tsConfig: { fileName: 'tsconfig.test.json' },
    tsPreCompilationDeps: true, // `import type` is an arrow too
    doNotFollow: { path: ['node_modules', '/dist/'] },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'import', 'node', 'default'] },
    cache: false,
  },
};
