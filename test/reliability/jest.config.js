const { join } = require('node:path');
const root = require('../../jest.config.js');

// Same compilation as the e2e project (Nest 12 ships ES modules that @swc/jest turns into CommonJS).
const e2e = root.projects[1];

module.exports = {
  rootDir: join(__dirname, '..', '..'),
  testEnvironment: 'node',
  transform: e2e.transform,
  transformIgnorePatterns: e2e.transformIgnorePatterns,
  moduleFileExtensions: e2e.moduleFileExtensions,
  testMatch: ['<rootDir>/test/reliability/**/*.rel-spec.ts'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  globalSetup: '<rootDir>/test/reliability/global-setup.ts',
  globalTeardown: '<rootDir>/test/reliability/global-teardown.ts',
  // One file at a time: the crash suite runs the built app as a child process, and the load and
  // memory figures of the fault suite are only meaningful when nothing else runs beside it.
  maxWorkers: 1,
  testTimeout: 120_000,
};
