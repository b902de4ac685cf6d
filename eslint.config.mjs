// The layers (README, "Architecture"): src/cli (commands, printers, config), src/shared (wire
// protocols, signing, bundle format, PKI, paths, the NC protocol, the launcher) and src/backend
// (the cloud). The CLI and the backend meet only in shared; each layer's imports are checked here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The SQLite driver is the SQLite store's alone: every other store is written against store/sql.ts. */
const driver = {
  name: 'better-sqlite3',
  message: 'only src/backend/store/sqlite-connection.ts opens the database; stores use SqlDatabase (store/sql.ts)',
};

const layer = (name, forbidden, { files = [`src/${name}/**/*.ts`], paths = [] } = {}) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths,
        patterns: forbidden.map((other) => ({
          group: [`**/${other}`, `**/${other}/**`],
          message: `src/${name} does not import src/${other} (the layers: README, "Architecture")`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'man/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
      // Left as a warning until every store maps its rows through one typed helper (issue 13).
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Commands and bundles are loaded lazily with require() to keep start-up fast.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Sanitizers match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  // Promises are awaited or handed on: the store is asynchronous, and a promise forgotten, or
  // tested for truth, is a rule silently skipped.
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A promise returned from a try block is awaited there, or its finally runs too early.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
    },
  },
  layer('cli', ['backend'], { paths: [driver] }),
  layer('shared', ['backend', 'cli'], { paths: [driver] }),
  layer('backend', ['cli'], { paths: [driver] }),
  layer('backend', ['cli'], { files: ['src/backend/store/sqlite-connection.ts'] }),
);
