import { MerkleProofService } from '@ledger/transparency-log';
import { Presets } from 'cli-progress';
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '@ledger/platform';
import { governancePolicy } from '@ledger/runtime';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V1,
  EvidenceExportError,
  exportEvidenceBundle,
  recordExport,
} from '@ledger/evidence';
import { announceLedger, caller, CliError, EXIT, keyId, printJson, progressBar } from '../cli-context';
import {
  cliConfig,
  existingLedgerKeys,
  openExistingEventStore,
  openExistingReadStore,
} from '../ledger-access';

interface ExportFlags {
  system: string;
  from?: string;
  to?: string;
  sinceCheckpoint?: string;
  out: string;
  recipient?: string;
  tenant: string;
  actor?: string;
  wait: string;
  bundleFormat: string;
  json?: boolean;
}

/** The formats a bundle can be written in, by the name --bundle-format takes. */
const FORMATS = { v2: BUNDLE_FORMAT, v1: BUNDLE_FORMAT_V1 } as const;

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      "write an evidence bundle for one AI system (its events with the proof of their leaves, the signed checkpoint, the ledger's keys, " +
        'a FHIR R4 view and an HTML report, under a signed manifest) and record the export in the ledger',
    )
    .requiredOption('--system <id>', 'the AI system')
    .option('--from <instant>', 'only events that occurred at or after this instant (RFC 3339 or a date)')
    .option('--to <instant>', 'only events that occurred before this instant')
    .option(
      '--since-checkpoint <file>',
      'a checkpoint note the recipient already holds: the bundle proves the log extends it',
    )
    .requiredOption('--out <file>', 'where to write the bundle (.tar.gz)')
    .option('--recipient <who>', 'for whom the bundle is made, recorded with the export')
    .option('--tenant <id>', 'the tenant the system belongs to', 'default')
    .option(
      '--actor <id>',
      'who is exporting, recorded with the export (default: the login running the command, or the one behind sudo; required as root)',
    )
    .option(
      '--wait <seconds>',
      'how long to wait for the sealer to sign a checkpoint covering the newest events',
      '60',
    )
    .option(
      '--bundle-format <v2|v1>',
      "the bundle's format: v2, or v1 (one inclusion proof per event) for a recipient whose tools read only v1",
      'v2',
    )
    .option(
      '--json',
      'print the bundle, its export id, manifest hash, checkpoint, current verifier key and the keys that signed the bundle as JSON',
    )
    .action(async (flags: ExportFlags) => {
      process.exitCode = await exportBundle(flags);
    });
}

async function exportBundle(flags: ExportFlags): Promise<number> {
  const config = cliConfig();
  const actor = flags.actor ?? caller();
  if (!actor)
    throw new CliError(
      '--actor: say who is exporting (an export is recorded against a person, and this command runs as root)',
    );
  const keys = existingLedgerKeys(config);
  announceLedger(config, keyId(keys.signer().verifierKey));
  const out = resolve(flags.out);
  if (!existsSync(dirname(out))) throw new CliError(`--out: the directory ${dirname(out)} does not exist`);
  if (existsSync(out))
    throw new CliError(`--out: ${out} already exists; an evidence bundle is never overwritten`);
  const waitSeconds = Number(flags.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0)
    throw new CliError('--wait must be a number of seconds, 0 or more');
  if (!Object.hasOwn(FORMATS, flags.bundleFormat))
    throw new CliError(`--bundle-format must be v2 or v1, not ${JSON.stringify(flags.bundleFormat)}`);
  const format = FORMATS[flags.bundleFormat as keyof typeof FORMATS];
  const sinceCheckpoint =
    flags.sinceCheckpoint === undefined ? undefined : readText(flags.sinceCheckpoint, '--since-checkpoint');
  const store = await openExistingEventStore(config);
  const readStore = await openExistingReadStore(config).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  if (!readStore) {
    await store.close();
    throw new CliError(
      `there is no read store under ${config.LEDGER_DATA_DIR}: the service builds it (with the Merkle log and its checkpoints) when it runs; start it once`,
    );
  }
  const bar = progressBar(
    {
      format: 'exporting [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}',
      etaBuffer: 50,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  try {
    const policy = governancePolicy(config);
    let started = false;
    const bundle = await exportEvidenceBundle({
      store,
      readStore,
      proofs: new MerkleProofService(readStore),
      keys: { signers: keys.signers(), verifierKeys: keys.verifierKeys() },
      origin: config.LEDGER_ORIGIN,
      scope: { tenantId: flags.tenant, systemId: flags.system, from: flags.from, to: flags.to },
      sinceCheckpoint,
      exportedBy: { id: actor, role: 'ledger-admin' },
      recipient: flags.recipient,
      generator: {
        name: 'govledger',
        version: (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string })
          .version,
      },
      compliancePolicy: {
        requiredRoles: policy.requiredRoles,
        validationValidityDays: policy.validationValidityDays,
        auditIntervalDays: config.LEDGER_AUDIT_INTERVAL_DAYS,
        incidentReportGraceHours: config.LEDGER_INCIDENT_REPORT_GRACE_HOURS,
      },
      out,
      format,
      waitMs: waitSeconds * 1000,
      onProgress: (done, total) => {
        if (!started) bar.start(Math.max(total, 1), done);
        started = true;
        bar.update(done);
      },
    });
    bar.stop();
    await recordExport(store, bundle, {
      tenantId: flags.tenant,
      actor: { id: actor, role: 'ledger-admin' },
      source: 'govledger-cli',
      correlationId: randomUUID(),
      recipient: flags.recipient,
    });
    const { manifest } = bundle;
    if (flags.json) {
      printJson({
        out,
        bytes: bundle.bytes,
        exportId: bundle.exportId,
        manifestSha256: bundle.manifestSha256,
        systemId: manifest.scope.systemId,
        events: manifest.counts.events,
        checkpoint: { treeSize: manifest.checkpoint.treeSize, rootHash: manifest.checkpoint.rootHash },
        exportedBy: actor,
        verifierKey: keys.signer().verifierKey,
        signedBy: bundle.signedBy,
      });
      return EXIT.ok;
    }
    process.stdout.write(
      [
        `wrote ${out} (${bundle.bytes} bytes): ${manifest.counts.events} events of ${manifest.scope.systemId}, proven against checkpoint ${manifest.checkpoint.treeSize} (root ${manifest.checkpoint.rootHash})`,
        `export ${bundle.exportId} recorded in the ledger as EvidenceExported (manifest SHA-256 ${bundle.manifestSha256})`,
        `verify it offline: govledger verify-bundle ${flags.out} ${bundle.signedBy.map((key) => `--trusted-key '${key}'`).join(' ')}`,
      ].join('\n') + '\n',
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof EvidenceExportError)
      throw new CliError(`${error.field ? `--${kebab(error.field)}: ` : ''}${error.message}`);
    throw error;
  } finally {
    bar.stop();
    await readStore.close();
    await store.close();
  }
}

const kebab = (field: string) =>
  field === 'systemId' ? 'system' : field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function readText(file: string, option: string): string {
  if (!existsSync(file)) throw new CliError(`${option}: ${file} does not exist`);
  return readFileSync(file, 'utf8');
}
