import { generateCosignatureKey } from '@ledger/integrity';
import { WitnessServer, type WitnessedLog } from '@ledger/transparency-log';
import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writableFileProblem } from '@ledger/runtime';
import { CliError, EXIT, keyId, note } from '../cli-context';

interface WitnessFlags {
  state?: string;
  keyFile: string;
  log?: string[];
  listen: string;
  newKey?: string;
  requestsPerMinute: string;
}

export function registerWitnessCommand(program: Command): void {
  program
    .command('witness')
    .description(
      'run a c2sp.org/tlog-witness witness for one or more logs: it cosigns a checkpoint only after checking the log’s signature ' +
        'and a consistency proof from the last one it cosigned, keeps what it cosigned in a SQLite file, and refuses a rollback or fork with 409',
    )
    .requiredOption('--key-file <file>', "the witness's signer key (secret; create it with --new-key)")
    .option(
      '--new-key <name>',
      'create a witness key named <name> in --key-file, print its verifier key and exit',
    )
    .option('--state <file>', 'the SQLite file of every checkpoint cosigned, per log (created when missing)')
    .option(
      '--log <origin-and-vkeys...>',
      'a log to witness: "<origin> <verifier key> [<verifier key>...]" (quote it; repeat for each log)',
    )
    .option('--listen <host:port>', 'where to serve POST /add-checkpoint', '127.0.0.1:7380')
    .option('--requests-per-minute <n>', 'requests one address may make per minute; more get 429', '600')
    .action(async (flags: WitnessFlags) => {
      if (flags.newKey !== undefined) return newKey(flags.newKey, flags.keyFile);
      await serve(flags);
    });
}

function newKey(name: string, file: string): void {
  if (existsSync(file)) throw new CliError(`--key-file: ${file} exists; a witness key is never overwritten`);
  const { signerKey, verifierKey } = generateCosignatureKey(name);
  writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  // Only the public half on stdout: `govledger witness --new-key w > w.vkey` is what the logs configure.
  process.stdout.write(`${verifierKey}\n`);
}

async function serve(flags: WitnessFlags): Promise<void> {
  if (!flags.state)
    throw new CliError('--state <file> is required to witness: it is what the witness remembers');
  const problem = writableFileProblem(flags.state);
  if (problem) throw new CliError(`--state: ${problem}`, EXIT.config);
  if (!existsSync(flags.keyFile))
    throw new CliError(
      `--key-file: ${flags.keyFile} does not exist (create one with --new-key <name>)`,
      EXIT.config,
    );
  const logs = parseLogs(flags.log ?? []);
  const listen = /^(.+):(\d{1,5})$/.exec(flags.listen);
  if (!listen) throw new CliError('--listen must be <host>:<port>, e.g. 127.0.0.1:7380', EXIT.config);
  const requestsPerMinute = Number(flags.requestsPerMinute);
  if (!Number.isSafeInteger(requestsPerMinute) || requestsPerMinute < 1)
    throw new CliError('--requests-per-minute must be a whole number, 1 or more', EXIT.config);
  let server: WitnessServer;
  try {
    server = new WitnessServer({
      stateFile: flags.state,
      signerKey: readFileSync(flags.keyFile, 'utf8').trim(),
      logs,
      requestsPerMinute,
    });
  } catch (error) {
    throw new CliError(`cannot start the witness: ${(error as Error).message}`, EXIT.config);
  }
  const address = await server.listen(Number(listen[2]), listen[1]);
  note(
    `witness ${keyId(server.verifierKey)} serving http://${address.address}:${address.port}/add-checkpoint for ${logs.map((l) => l.origin).join(', ')}`,
  );
  process.stdout.write(`${server.verifierKey}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
}

/** `--log "<origin> <vkey> [<vkey>...]"`, repeated; the same origin twice adds keys (a rotation). */
function parseLogs(entries: string[]): WitnessedLog[] {
  if (entries.length === 0)
    throw new CliError('give at least one log to witness with --log "<origin> <verifier key>"');
  const logs = new Map<string, string[]>();
  for (const entry of entries) {
    const [origin, ...keys] = entry.trim().split(/\s+/);
    if (!origin || keys.length === 0)
      throw new CliError(
        `--log must be "<origin> <verifier key> [<verifier key>...]", got ${JSON.stringify(entry)}`,
      );
    logs.set(origin, [...(logs.get(origin) ?? []), ...keys]);
  }
  return [...logs].map(([origin, verifierKeys]) => ({ origin, verifierKeys }));
}
