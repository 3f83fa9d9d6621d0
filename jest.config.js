/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Integration tests start emulators in-process; give them room on a loaded 2-core machine.
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 60_000,
  // Two workers: the CI machine has 2 cores, and each integration file runs its own emulators.
  maxWorkers: 2,
};
