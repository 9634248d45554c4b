#!/usr/bin/env node
import 'reflect-metadata';
import { LedgerKeyError } from '@ledger/transparency-log';
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeRuntimeProblem, repoRoot } from '@ledger/runtime';
import { CliError, EXIT } from './cli-context';
import { registerCompletionCommand } from './commands/completion.command';
import { registerExportCommand } from './commands/export.command';
import { registerInitCommand } from './commands/init.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerRebuildProjectionsCommand } from './commands/rebuild-projections.command';
import { registerSeedDemoCommand } from './commands/seed-demo.command';
import { registerTokenCommand } from './commands/token.command';
import { registerVerifyBundleCommand } from './commands/verify-bundle.command';
import { registerVerifyCommand } from './commands/verify.command';
import { registerWitnessCommand } from './commands/witness.command';

/**
 * `govledger`: the ledger's command line. It reads the same environment
 * variables as the service. Results go to stdout, progress and diagnostics to
 * stderr, so output can be piped.
 */
export function buildProgram(): Command {
  const program = new Command('govledger')
    .description(
      'AI governance ledger: keys, tamper-evidence verification, read-model rebuilds and a demo organisation',
    )
    .version(
      (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version,
      '-V, --version',
      'print the version',
    )
    // A usage mistake gets the one line that names it; the whole help would bury it. Inherited by every command.
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (message, write) =>
        write(
          `govledger: ${message
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see --help)\n`,
        ),
    })
    .exitOverride();
  registerInitCommand(program);
  registerKeysCommand(program);
  registerVerifyCommand(program);
  registerRebuildProjectionsCommand(program);
  registerSeedDemoCommand(program);
  registerTokenCommand(program);
  registerExportCommand(program);
  registerVerifyBundleCommand(program);
  registerWitnessCommand(program);
  registerCompletionCommand(program);
  return program;
}

async function main(): Promise<void> {
  const runtimeProblem = nodeRuntimeProblem();
  if (runtimeProblem) {
    process.stderr.write(`govledger: ${runtimeProblem}\n`);
    process.exitCode = EXIT.config;
    return;
  }
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here with 0; a usage error has already been printed.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.failed;
      return;
    }
    if (error instanceof CliError || error instanceof LedgerKeyError) {
      process.stderr.write(`govledger: ${error.message}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : EXIT.failed;
      return;
    }
    process.stderr.write(
      `govledger failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failed;
  }
}

void main();
