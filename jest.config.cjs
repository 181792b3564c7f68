// Jest 30 on Node 20: Nest 12 packages are ESM-only, so @swc/jest compiles them (and the other
// ESM-only packages listed) to CommonJS. Extend ESM_ONLY when a test fails with
// "Must use import to load ES Module". (Jest's own require() of ES modules needs Node ≥ 24.9;
// on Node 20 they must be compiled.)
const swc = (ts) => [
  '@swc/jest',
  {
    jsc: {
      parser: ts ? { syntax: 'typescript', decorators: true } : { syntax: 'ecmascript' },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];
const ESM_ONLY =
  '@nestjs|cookie|content-disposition|file-type|strtok3|token-types|peek-readable|uint8array-extras|@tokenizer|load-esm|piston-client';
const common = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': swc(true),
    [`^.+/node_modules/(${ESM_ONLY})/.+\\.m?js$`]: swc(false),
  },
  transformIgnorePatterns: [`/node_modules/(?!.*/node_modules/)(?!(${ESM_ONLY})/)`],
  moduleNameMapper: { '^@runbox/(contract|config|queue|languages)$': '<rootDir>/libs/$1/src' },
};
module.exports = {
  // Jest reads testTimeout from the top level only (a project's own is ignored): end-to-end tests
  // wait for real runs, and a rate-limit test for a fresh minute.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps}/*/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
