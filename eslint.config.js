// Lint: TypeScript-aware, plus the package boundaries of STYLE.md rule 7 and docs/architecture.md,
// enforced (lint fails CI):
// - packages and services import each other only through their entry (`@kjobs/<name>`), never by
//   relative path or deep import; services export nothing (a test may import `@kjobs/<x>/testing`);
// - no package imports a service;
// - only the api-server and memq (and the store itself) use `@kjobs/store` or Redis (`ioredis`);
// - `@kjobs/api` does no I/O: no file system, network, Redis or NATS imports;
// - scripts/ and bench/ (the developer's tools: they start services, read their settings, clean
//   Redis) may import a service's source and ioredis, but reach packages only through their entry.
// tests/lint/boundaries.test.ts runs this config on deliberate bad imports.
import tseslint from 'typescript-eslint';

const SERVICES = ['api-server', 'scheduler', 'job-controller', 'kubelet-agent', 'memq-server'];

const deepImports = { group: ['@kjobs/*/src/*', '@kjobs/*/dist/*'], message: 'Import a package through its entry (@kjobs/<name>), not a deep path.' };
const relativeMessage = 'Cross-package relative imports are not allowed: import @kjobs/<name>.';
const relativeImports = { group: ['**/packages/*/**', '**/services/*/**'], message: relativeMessage };
const relativePackages = { group: ['**/packages/*/**'], message: relativeMessage };
// `../../other/src/x.js`: a relative path that climbs out of this workspace into another's src.
const relativeSrc = { regex: '^(\\.\\./)+[^./][^/]*/src(/|$)', message: relativeMessage };
const services = (test) => ({
  regex: `^@kjobs/(${SERVICES.join('|')})${test ? '(?!/testing$)' : ''}(/.*)?$`,
  message: test ? 'Tests reach a service only through @kjobs/<service>/testing.' : 'Services export nothing; move shared code to packages/.',
});
const storeAndRedis = { group: ['@kjobs/store', '@kjobs/store/*', 'ioredis'], message: 'Only the api-server and memq use the store or Redis (docs/architecture.md).' };
const NO_IO = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'child_process', 'worker_threads'];
const apiNoIo = {
  group: [...NO_IO.flatMap((m) => [m, `node:${m}`]), 'ioredis', '@nats-io/*', '@kjobs/store', '@kjobs/bus', '@kjobs/client'],
  message: '@kjobs/api does no I/O: keep files, sockets, Redis and NATS out of it.',
};

/** no-restricted-imports with these patterns (a later block replaces an earlier one's list). */
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const TESTS = ['**/*.test.ts', '**/src/testing/**/*.ts'];
const REDIS_USERS = ['services/api-server/**/*.ts', 'services/memq/**/*.ts', 'packages/memq/**/*.ts', 'packages/store/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/*.generated.ts', '.kjobs/**', 'coverage/**'] },
  {
    files: ['packages/**/*.ts', 'services/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      ...restrict(deepImports, relativeImports, relativeSrc, services(false), storeAndRedis),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-debugger': 'error',
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  { files: REDIS_USERS, rules: restrict(deepImports, relativeImports, relativeSrc, services(false)) },
  { files: ['packages/api/**/*.ts'], rules: restrict(deepImports, relativeImports, relativeSrc, services(false), apiNoIo) },
  // The schema generator is a developer's command (`npx tsx …/generate-go-schema.ts SRC`) that
  // reads Go sources and writes go-schema.generated.ts; nothing imports it.
  { files: ['packages/api/src/protobuf/generate-go-schema.ts'], rules: restrict(deepImports, relativeImports, relativeSrc, services(false)) },
  // Tests set up real Redis where they need it (memq-backed CLI and kuard flows) and may use a
  // service's test support; @kjobs/api's tests read their protobuf fixtures from disk.
  { files: TESTS, rules: restrict(deepImports, relativeImports, relativeSrc, services(true)) },
  { files: ['scripts/**/*.ts', 'bench/**/*.ts'], rules: restrict(deepImports, relativePackages) },
);
