/**
 * One jest run covers every spec: unit specs beside the code and the cross-boundary suites in test/.
 * A spec's name says its kind (`*.unit.spec.ts` no I/O, `*.int.spec.ts` a real database, file or child
 * process, `*.e2e.spec.ts` through the running HTTP service); TEST_KIND=unit|int|e2e runs that kind alone.
 * Without it the match stays `*.spec.ts`, so a spec not yet named by kind still runs.
 */
const swc = JSON.parse(require('node:fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const KINDS = ['unit', 'int', 'e2e'];
const kind = process.env.TEST_KIND;
if (kind !== undefined && !KINDS.includes(kind))
  throw new Error(
    `TEST_KIND=${kind} is not a kind of test; use one of ${KINDS.join(', ')}, or leave it unset to run all`,
  );

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: [kind ? `**/*.${kind}.spec.ts` : '**/*.spec.ts'],
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
