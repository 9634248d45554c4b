import { BUNDLE_FORMAT_V1, readPemCertificates, verifyBundle } from '@ledger/evidence';
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import {
  CliError,
  EXIT,
  keyId,
  note,
  printJson,
  witnessPolicyFlags,
  witnessPolicyLines,
  witnessPolicyOf,
  type WitnessFlags,
} from '../cli-context';

interface VerifyBundleFlags extends WitnessFlags {
  trustedKey?: string[];
  trustedKeys?: string;
  tsaCert?: string;
  json?: boolean;
}

export function registerVerifyBundleCommand(program: Command): void {
  const command = program
    .command('verify-bundle <file>')
    .description(
      'check an evidence bundle offline, with no server and no database: the manifest signature, every file hash, every event hash, ' +
        'every inclusion proof, the checkpoint signature, its RFC 3161 timestamp token and the consistency proof, and recompute every computed monitoring signal ' +
        'from the bundled events; exits 1 listing every failure, each naming its file',
    )
    .option(
      '--trusted-key <vkey...>',
      "the ledger's verifier key, obtained separately from the bundle (repeat for a rotated key)",
    )
    .option('--trusted-keys <file>', 'a file of trusted verifier keys, one per line')
    .option(
      '--tsa-cert <pem>',
      "the timestamp authority's certificate, or the CA that issued it (PEM): checkpoint.tst must chain to it, and must be there",
    );
  witnessPolicyFlags(command)
    .option('--json', 'print the result (PASS with its summary, or every failure) as JSON')
    .action(async (file: string, flags: VerifyBundleFlags) => {
      process.exitCode = await verify(file, flags);
    });
}

async function verify(file: string, flags: VerifyBundleFlags): Promise<number> {
  if (!existsSync(file)) throw new CliError(`${file} does not exist`);
  const keys = [...(flags.trustedKey ?? []), ...(flags.trustedKeys ? readKeys(flags.trustedKeys) : [])];
  if (keys.length === 0)
    throw new CliError(
      "give the ledger's verifier key with --trusted-key <vkey> (or --trusted-keys <file>); never trust the keys inside the bundle alone",
    );
  const tsaCertificates = flags.tsaCert === undefined ? undefined : readTsaCertificates(flags.tsaCert);
  // No ledger here: the bundle and the keys trusted for it are what this check stands on.
  note(`checking the bundle ${file} offline, trusting ${keys.map(keyId).join(', ')}`);
  const started = process.hrtime.bigint();
  const result = await verifyBundle(file, keys, { tsaCertificates, witnesses: witnessPolicyOf(flags) });
  const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
  if (flags.json) {
    printJson(result);
    return result.ok ? EXIT.ok : EXIT.damage;
  }
  if (!result.ok) {
    process.stdout.write(result.failures.map((f) => `FAIL: ${f.file}: ${f.message}\n`).join(''));
    if (result.summary?.witnesses) process.stdout.write(witnessPolicyLines(result.summary.witnesses));
    const signals = result.summary?.signals;
    if (signals && signals.computed > 0)
      process.stdout.write(
        `  ${signals.recomputed} of ${signals.computed} computed signals recomputed from the bundled events and matched\n`,
      );
    return EXIT.damage;
  }
  const s = result.summary;
  process.stdout.write(
    [
      `PASS: ${file} is an intact evidence bundle from ${s.origin}, signed by ${s.checkpoint.signedBy.join(', ')}`,
      `  system ${s.systemId} (tenant ${s.tenantId}), exported ${s.createdAt} by ${s.exportedBy}${s.recipient ? ` for ${s.recipient}` : ''}`,
      `  ${s.events} events (positions ${s.firstPosition ?? '-'} to ${s.lastPosition ?? '-'}): every hash recomputed and ${s.format === BUNDLE_FORMAT_V1 ? 'every inclusion proof checked' : 'every leaf proven by one multiproof'} against checkpoint ${s.checkpoint.treeSize} (root ${s.checkpoint.rootHash})`,
      s.consistentWith
        ? `  the log extends your checkpoint of tree size ${s.consistentWith.treeSize} (root ${s.consistentWith.rootHash})`
        : '  no earlier checkpoint to prove consistency with (export with --since-checkpoint for one)',
      s.timestamp
        ? `  the checkpoint existed at ${s.timestamp.time}, attested by ${s.timestamp.tsa}${s.timestamp.anchored ? ', whose certificate chains to --tsa-cert' : ' (give --tsa-cert to check whom the authority is)'}`
        : '  no timestamp token for the checkpoint',
      s.signals.computed > 0
        ? `  ${s.signals.recomputed} computed signals recomputed from the bundled outputs, responses and outcomes: each matches its value, n, inputs and checkpoint`
        : '  no computed monitoring signal in the bundle',
      `  ${s.files} files match the signed manifest; verified in ${seconds} s`,
    ].join('\n') +
      '\n' +
      (s.witnesses ? witnessPolicyLines(s.witnesses) : ''),
  );
  return EXIT.ok;
}

function readTsaCertificates(file: string) {
  if (!existsSync(file)) throw new CliError(`--tsa-cert: ${file} does not exist`);
  let certificates;
  try {
    certificates = readPemCertificates(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(
      `--tsa-cert: ${file} holds a certificate that cannot be read: ${(error as Error).message}`,
    );
  }
  if (certificates.length === 0) throw new CliError(`--tsa-cert: ${file} holds no PEM certificate`);
  return certificates;
}

function readKeys(file: string): string[] {
  if (!existsSync(file)) throw new CliError(`--trusted-keys: ${file} does not exist`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
