// ESLint for the TypeScript and the JavaScript of the repository. TypeScript files are linted
// with type information from tsconfig.test.json, the one project that covers libs, apps and test/
// (with the @runbox/* paths), so a single program is built and `npm run lint` stays quick.
// Formatting is Prettier's job (npm run format:check), the architecture dependency-cruiser's
// (npm run arch).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/dist/',
      '**/node_modules/',
      'native/',
      'coverage/',
      '.runbox/',
      'test/fixtures/',
    ] /* programs for the sandbox, some wrong on purpose */,
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `const { createdAt: _createdAt, ...rest } = data` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Specs and end-to-end tests read loosely typed HTTP bodies (supertest's `body` is `any`, and so
    // is a parsed SSE or fetch body) and pass jest's matchers (`expect.any(...)`, typed `any`) into
    // objects: the no-unsafe-* family would flag nearly every assertion without finding bugs, and
    // an assertion on a body is the check that typing it would add.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.test-helper.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes implement async interfaces (an ApiClient, a lookup, a webhook receiver) with values
      // they already have: `async` is the shortest honest way to write them.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Scripts, benches and the jest config are plain CommonJS for Node: no type information.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
);
