import { nodeRuntimeProblem } from './node-runtime';

describe('the Node runtimes the ledger refuses', () => {
  it.each(['24.19.0', '24.20.0', '24.21.0'])(
    'refuses %s, whose runtime aborts when a better-sqlite3 statement is freed',
    (version) => {
      expect(nodeRuntimeProblem(version)).toMatch(
        new RegExp(`^Node ${version.replace(/\./g, '\\.')} aborts .*nodejs/node#65446.*24\\.22 or later`),
      );
    },
  );

  it.each([
    '20.19.0',
    '20.20.2',
    '22.15.0',
    '22.23.5',
    '24.18.1',
    '24.22.0',
    '24.22.1',
    '24.22.3',
    '26.12.1',
  ])('runs on %s', (version) => {
    expect(nodeRuntimeProblem(version)).toBeUndefined();
  });
});
