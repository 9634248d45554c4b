#!/usr/bin/env node
// Runs the built CLI, building it first on a fresh clone. Build output goes to
// stderr so that stdout carries only the command's result.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const main = join(root, 'dist', 'apps', 'govledger-cli', 'src', 'main.js');
if (!existsSync(main)) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build', '--silent'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (build.status !== 0) {
    process.stderr.write('govledger: building the CLI failed (npm run build); see the output above\n');
    process.exit(build.status ?? 1);
  }
}
require(main);
