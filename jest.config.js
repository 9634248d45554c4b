/** One jest run covers unit specs beside the code and the cross-boundary suites in test/. */
const swc = JSON.parse(require('node:fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/bench/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }],
    // Nest 12 and parts of its tree ship ES modules only; Node 20 loads them through require(esm), jest's CommonJS runtime needs them compiled.
    '^.+\\.m?js$': ['@swc/jest', { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // google-protobuf is CommonJS that relies on its top-level `this`; compiling it would break the EventStoreDB client.
  transformIgnorePatterns: ['/node_modules/google-protobuf/'],
  moduleNameMapper: { '^@ledger/(.*)$': '<rootDir>/libs/$1/src' },
  testTimeout: 60000,
  // A failing test can leave a runner or a child process behind; CI must still end with the verdict rather than hang.
  forceExit: true,
  verbose: true,
};
