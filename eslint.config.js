import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NO_ELECTRON = [
  { name: 'electron', message: 'Only src/electron may import electron.', allowTypeImports: false },
  { name: 'electron-store', message: 'electron-store loads electron; use the store adapter.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-control-regex': 'off',
    },
  },
  {
    // Everything but the Electron host runs under plain Node: it must never load Electron.
    files: ['src/**', 'test/**', 'scripts/**', 'bin/**'],
    ignores: ['src/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: NO_ELECTRON }] },
  },
  {
    // The domain core knows nothing of the contract, the UI or the hosts (they depend on it, not back).
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NO_ELECTRON,
          patterns: [
            {
              group: [
                '**/contract/*',
                '**/app/*',
                '**/cli/*',
                '**/web/*',
                '**/ui/*',
                '**/electron/*',
                '**/helper/*',
                '**/devnet/*',
              ],
              message: 'src/core depends on nothing outside src/core.',
            },
          ],
        },
      ],
    },
  },
  {
    // The privileged helper runs as root: the config parser and the tunnel commands, never the key store.
    files: ['src/helper/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NO_ELECTRON,
          patterns: [
            {
              group: [
                '**/store/keyring*',
                '**/store/state-store*',
                '**/store/open-node-store*',
                '**/store/*cipher*',
                '**/store/key-slots*',
                '**/store/*slot*',
                '**/crypto/aead*',
                '**/tunnels/tunnel-store*',
                '**/overlay/*',
              ],
              message: 'The helper never touches the key store or networks.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
);
