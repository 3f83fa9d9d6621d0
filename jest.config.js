/**
 * ESM-only dependencies (their package.json says "type": "module", or they ship .mjs). Jest runs tests as
 * CommonJS and, on Node < 24.9, cannot require() an ES module, so these are compiled to CommonJS by ts-jest
 * like our own sources and then load in the test's realm as any other module. Add a package here when a
 * test fails with "Must use import to load ES Module" or "Cannot use import statement outside a module".
 */
const ESM_ONLY_PACKAGES = ['jose', 'request-filtering-agent', 'oauth2-mock-server', 'is-plain-obj'];
const esmOnly = `node_modules/(?:${ESM_ONLY_PACKAGES.join('|')})/`;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    [`${esmOnly}.+\\.m?js$`]: ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(?:${ESM_ONLY_PACKAGES.join('|')})/)`],
  // Integration tests start emulators in-process; give them room on a loaded 2-core machine.
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 60_000,
  // Two workers: the CI machine has 2 cores, and each integration file runs its own emulators.
  maxWorkers: 2,
};
