// ESLint (flat config) for the web client: the recommended rules, browser globals for
// src/, Node's for the build script, the tools and the node --test tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['build.mjs', 'eslint.config.js', 'tools/**/*.{js,mjs}', 'test/**/*.js', 'testkit/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
  },
];
