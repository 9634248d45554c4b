#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeRuntimeProblem, repoRoot } from '@ledger/platform';
import { CliError, EXIT } from './cli-context';

/**
 * Each command's module, loaded only when it is needed: loading every
 * command's libraries (the configuration's validators, the domain, the store
 * drivers, the read models: about 1,200 modules and 0.4 s of CPU) was most of
 * the start-up of a command that uses a few of them. Listed in help order.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  init: async () => (await import('./commands/init.command')).registerInitCommand,
  keys: async () => (await import('./commands/keys.command')).registerKeysCommand,
  verify: async () => (await import('./commands/verify.command')).registerVerifyCommand,
  'rebuild-projections': async () =>
    (await import('./commands/rebuild-projections.command')).registerRebuildProjectionsCommand,
  'seed-demo': async () => (await import('./commands/seed-demo.command')).registerSeedDemoCommand,
  token: async () => (await import('./commands/token.command')).registerTokenCommand,
  export: async () => (await import('./commands/export.command')).registerExportCommand,
  retention: async () => (await import('./commands/retention.command')).registerRetentionCommand,
  'verify-bundle': async () => (await import('./commands/verify-bundle.command')).registerVerifyBundleCommand,
  witness: async () => (await import('./commands/witness.command')).registerWitnessCommand,
  completion: async () => (await import('./commands/completion.command')).registerCompletionCommand,
};

/**
 * `govledger`: the ledger's command line. It reads the same environment
 * variables as the service. Results go to stdout, progress and diagnostics to
 * stderr, so output can be piped.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
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
  // A named command needs only itself; the program's help, a mistyped name and
  // completion (which prints every command's words) need them all.
  const named = argv[2];
  const wanted =
    named !== undefined && named !== 'completion' && Object.hasOwn(COMMANDS, named)
      ? [named]
      : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]()))) register(program);
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
    await (await buildProgram()).parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here with 0; a usage error has already been printed.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.failed;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`govledger: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    // Only a command that has loaded the transparency log can have thrown its LedgerKeyError.
    const { LedgerKeyError } = await import('@ledger/transparency-log');
    if (error instanceof LedgerKeyError) {
      process.stderr.write(`govledger: ${error.message}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    process.stderr.write(
      `govledger failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failed;
  }
}

void main();
