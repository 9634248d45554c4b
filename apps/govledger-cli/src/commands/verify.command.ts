import { checkWitnessPolicy, noteVerifier, witnessPolicy, type WitnessPolicyResult } from '@ledger/integrity';
import {
  type Damage,
  LedgerKeys,
  MerkleProofService,
  parseVerifierKeys,
  verifyLedger,
  type VerifyReport,
} from '@ledger/transparency-log';
import { Presets } from 'cli-progress';
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import type { ReadStore } from '@ledger/read-store';
import { ledgerKeysOptions } from '@ledger/runtime';
import {
  announceLedger,
  CliError,
  EXIT,
  keyId,
  printJson,
  progressBar,
  witnessPolicyFlags,
  witnessPolicyLines,
  witnessPolicyOf,
  type WitnessFlags,
} from '../cli-context';
import { cliConfig, openExistingEventStore, openExistingReadStore } from '../ledger-access';

interface VerifyFlags extends WitnessFlags {
  against?: string;
  vkeys?: string;
  json?: boolean;
}

export function registerVerifyCommand(program: Command): void {
  const command = program
    .command('verify')
    .description(
      're-derive every event hash, stream chain, the global order and the Merkle log from the configured store, and check every signed checkpoint; ' +
        'exits 1 naming the first damaged position and the kind of damage',
    )
    .option(
      '--against <file>',
      'a checkpoint kept outside the database (a witness copy): prove the current log extends it',
    )
    .option(
      '--vkeys <file>',
      "trust only the verifier keys in this file (one vkey per line) instead of the ledger's published ones",
    );
  witnessPolicyFlags(command)
    .option('--json', 'print the report (counts, latest checkpoint, every finding and warning) as JSON')
    .action(async (flags: VerifyFlags) => {
      process.exitCode = await verify(flags);
    });
}

async function verify(flags: VerifyFlags): Promise<number> {
  const config = cliConfig();
  const vkeys = flags.vkeys
    ? readVerifierKeys(flags.vkeys)
    : LedgerKeys.publishedVerifierKeys(ledgerKeysOptions(config));
  if (vkeys.length === 0) {
    throw new CliError(
      `no published verifier keys under ${ledgerKeysOptions(config).keysDir}; pass the ledger's keys with --vkeys <file> (GET /v1/keys serves them)`,
    );
  }
  const policy = witnessPolicyOf(flags);
  const witnesses = policy && readPolicy(policy.keys, policy.threshold);
  announceLedger(config, vkeys.map(keyId).join(', '));
  const against = flags.against
    ? { label: flags.against, note: readText(flags.against, '--against') }
    : undefined;

  const store = await openExistingEventStore(config);
  const readStore = await openExistingReadStore(config).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const bar = progressBar(
    {
      format: 'verifying [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}',
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  try {
    bar.start(Number(await store.headPosition()), 0);
    const report = await verifyLedger({
      store,
      readStore,
      verifiers: vkeys.map(noteVerifier),
      origin: config.LEDGER_ORIGIN,
      against,
      onProgress: (checked) => bar.update(checked),
    });
    bar.stop();
    const cosigned = witnesses && readStore && (await latestWitnessed(readStore, witnesses));
    const ok = report.damage.length === 0 && (cosigned?.met ?? true);
    if (flags.json) {
      printJson({ ok, ...report, ...(cosigned ? { witnesses: cosigned } : {}) });
      return ok ? EXIT.ok : EXIT.damage;
    }
    const exit = printReport(report, against?.label);
    if (cosigned) process.stdout.write(witnessPolicyLines(cosigned));
    return ok ? exit : EXIT.damage;
  } finally {
    bar.stop();
    await readStore?.close();
    await store.close();
  }
}

function printReport(report: VerifyReport, againstLabel?: string): number {
  for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
  const [first, ...rest] = report.damage;
  if (first) {
    process.stdout.write(`DAMAGED: ${describe(first)}\n`);
    if (rest.length > 0) {
      process.stdout.write(`${rest.length} further finding${rest.length === 1 ? '' : 's'}:\n`);
      for (const finding of rest.slice(0, 20)) process.stdout.write(`  ${describe(finding)}\n`);
      if (rest.length > 20) process.stdout.write(`  ...and ${rest.length - 20} more\n`);
    }
    return EXIT.damage;
  }
  const latest = report.latestCheckpoint;
  const lines = [
    `OK: ${report.events} events in ${report.streams} streams: every hash, stream chain and position checks out`,
    latest
      ? `${report.checkpoints} signed checkpoints match the re-derived Merkle log; the latest covers ${latest.treeSize} events with root ${latest.rootHash}`
      : 'no signed checkpoint to compare with yet',
  ];
  if (report.extendsWitnessed) {
    const { treeSize, consistencyProofTo } = report.extendsWitnessed;
    lines.push(
      `the log extends the witnessed checkpoint ${againstLabel} (tree size ${treeSize})` +
        (consistencyProofTo !== undefined
          ? `; the consistency proof from ${treeSize} to ${consistencyProofTo} verifies`
          : ''),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/** `<kind> at position <p>: <what was found>`; checkpoint findings name the tree size. */
function describe(finding: Damage): string {
  const where =
    finding.position !== undefined
      ? `at position ${finding.position}${finding.treeSize !== undefined ? ` (checkpoint of tree size ${finding.treeSize})` : ''}`
      : `at checkpoint of tree size ${finding.treeSize ?? finding.leafIndex + 1}`;
  return `${finding.kind} ${where}: ${finding.message}`;
}

function readPolicy(keys: string[], threshold: number) {
  try {
    return witnessPolicy(keys, threshold);
  } catch (error) {
    throw new CliError(`--witness-key: ${(error as Error).message}`);
  }
}

/** The witness policy applied to the latest checkpoint with the cosignatures the ledger stored for it. */
async function latestWitnessed(
  readStore: ReadStore,
  policy: ReturnType<typeof witnessPolicy>,
): Promise<WitnessPolicyResult> {
  const proofs = new MerkleProofService(readStore);
  const latest = await proofs.latestCheckpoint();
  if (!latest) return { cosignedBy: [], threshold: policy.threshold, met: false };
  return checkWitnessPolicy(await proofs.cosignedNote(latest), policy);
}

function readVerifierKeys(file: string): string[] {
  return parseVerifierKeys(readText(file, '--vkeys'), file);
}

function readText(file: string, option: string): string {
  if (!existsSync(file)) throw new CliError(`${option}: ${file} does not exist`);
  return readFileSync(file, 'utf8');
}
