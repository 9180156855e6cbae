// ESLint flat config: strict type-checked TypeScript plus the layer boundaries of the design.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out/**',
      '.cache/**',
      '.e2e-out/**',
      'bench/out/**',
      'scripts/e2e/**',
      'test/rules/**/*.json',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] },
          ],
        },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['vscode', 'vscode-languageserver*', 'vscode-languageclient*'],
              message: 'core/ must not know about editors or LSP.',
            },
            {
              group: ['node:*', 'fs', 'path', 'child_process', 'os'],
              message:
                'core/ takes text and returns findings; I/O belongs to cli/, host/ and lsp/.',
            },
            {
              group: ['**/lsp/**', '**/cli/**', '**/host/**'],
              message: 'Dependencies point inwards only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/lsp/**', '**/cli/**'],
              message: 'protocol/ is shared with the client; keep it free of server code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The language server and the CLI are two faces over host/; neither reaches into the other.
    files: ['server/src/lsp/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '../cli/*'],
              message: 'lsp/ must not import cli/: share it in host/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '**/lsp/**', '../cli/*', '../lsp/*'],
              message: 'host/ serves cli/ and lsp/; it must not depend on either.',
            },
            {
              group: ['vscode', 'vscode-languageserver*', 'vscode-languageclient*'],
              message: 'host/ knows nothing of LSP.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/src/*', '!**/server/src/protocol', '!**/server/src/protocol/*'],
              message: 'The client may only import server/src/protocol.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/cli/bin.ts', 'bench/**', 'scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // node:assert narrows types, which the type-aware rules do not see; tests state intent.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
