// Lint: TypeScript-aware, plus the package-boundary rules of STYLE.md rule 7 — packages and
// services import each other only through their entry (`@kjobs/<name>`), never by relative path
// or deep import, and services export nothing to anyone.
import tseslint from 'typescript-eslint';

const boundaries = {
  patterns: [
    { group: ['@kjobs/*/src/*', '@kjobs/*/dist/*'], message: 'Import a package through its entry (@kjobs/<name>), not a deep path.' },
    { group: ['**/packages/*/**', '**/services/*/**'], message: 'Cross-package relative imports are not allowed: import @kjobs/<name>.' },
    { group: ['@kjobs/api-server', '@kjobs/scheduler', '@kjobs/job-controller', '@kjobs/kubelet-agent', '@kjobs/memq-server'], message: 'Services export nothing; move shared code to packages/.' },
  ],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/*.generated.ts', '.kjobs/**', 'coverage/**'] },
  {
    files: ['packages/**/*.ts', 'services/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-imports': ['error', boundaries],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-debugger': 'error',
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
