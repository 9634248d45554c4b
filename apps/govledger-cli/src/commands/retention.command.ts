import {
  checkInstant,
  retentionTally,
  type RetentionGroup,
  type RetentionReport,
  type RetentionTally,
} from '@ledger/domain';
import { legalHoldsOf, retentionEventOf, retentionSchedule } from '@ledger/runtime';
import { Presets } from 'cli-progress';
import type { Command } from 'commander';
import { announceLedger, CliError, EXIT, printJson, progressBar } from '../cli-context';
import { cliConfig, openExistingEventStore } from '../ledger-access';

interface RetentionFlags {
  asOf?: string;
  json?: boolean;
}

/** Each tenant's report: holds and periods are per tenant, so a hold in one never keeps another's records. */
type TenantReport = Pick<RetentionReport, 'due' | 'held'> & { tenantId: string };

export function registerRetentionCommand(program: Command): void {
  program
    .command('retention')
    .description(
      'list, per tenant, category and system (or stream), the events past their retention (LEDGER_RETENTION_GOVERNANCE, ' +
        'LEDGER_RETENTION_DATA_ACCESS) and so due for erasure or archive, and what active legal holds keep; reads the whole store, changes nothing',
    )
    .option('--as-of <instant>', 'the instant to judge at, RFC 3339 (default: now)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: RetentionFlags) => {
      process.exitCode = await retention(flags);
    });
}

async function retention(flags: RetentionFlags): Promise<number> {
  const asOf = asOfInstant(flags.asOf);
  const config = cliConfig();
  const schedule = retentionSchedule(config);
  announceLedger(config);
  const store = await openExistingEventStore(config);
  const bar = progressBar(
    { format: 'reading [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}', etaBuffer: 50 },
    Presets.shades_classic,
  );
  try {
    bar.start(Number(await store.headPosition()), 0);
    const tallies = new Map<string, RetentionTally>();
    let read = 0;
    for await (const event of store.readAll()) {
      const { tenantId } = event.metadata;
      let tally = tallies.get(tenantId);
      if (!tally) {
        tally = retentionTally({ schedule, holds: await legalHoldsOf(store, tenantId), asOf });
        tallies.set(tenantId, tally);
      }
      tally.add(retentionEventOf(event));
      if (++read % 1000 === 0) bar.update(read);
    }
    bar.update(read);
    bar.stop();
    const reports = [...tallies].map(([tenantId, tally]) => ({ tenantId, ...tally.report() }));
    if (flags.json)
      printJson({ asOf, schedule, tenants: reports.map(({ asOf: _, schedule: __, ...r }) => r) });
    else process.stdout.write(describe(asOf, schedule, reports));
    return EXIT.ok;
  } finally {
    bar.stop();
    await store.close();
  }
}

function asOfInstant(flag: string | undefined): string {
  if (flag === undefined) return new Date().toISOString();
  const { rule } = checkInstant(flag);
  if (rule !== undefined) throw new CliError(`--as-of ${rule}`, EXIT.failed);
  return new Date(flag).toISOString();
}

function describe(asOf: string, schedule: RetentionReport['schedule'], reports: TenantReport[]): string {
  const lines = [
    `retention as of ${asOf}: governance records ${schedule.GOVERNANCE}, data-access records ${schedule.DATA_ACCESS}`,
  ];
  for (const report of reports) {
    lines.push(`tenant ${report.tenantId}`);
    lines.push(
      report.due.length === 0
        ? '  nothing is due for erasure or archive'
        : `  due for erasure or archive:\n${report.due.map((g) => `    ${groupLine(g)}`).join('\n')}`,
    );
    for (const { hold, suspended } of report.held) {
      const scope =
        hold.scope.kind === 'SYSTEM'
          ? `system ${hold.scope.systemId}`
          : `a ${hold.scope.subjectKind.toLowerCase()}`;
      lines.push(
        `  on hold ${hold.holdId} (${scope}, matter ${hold.matter}, placed by ${hold.placedBy} at ${hold.placedAt}):`,
      );
      if (suspended.length > 0) lines.push(...suspended.map((g) => `    ${groupLine(g)}`));
      else if (hold.scope.kind === 'SUBJECT')
        lines.push(
          '    events naming a subject are not matched by this version; the hold still blocks their erasure',
        );
      else lines.push('    nothing due that it keeps');
    }
  }
  return `${lines.join('\n')}\n`;
}

function groupLine(g: RetentionGroup): string {
  const where = g.systemId !== null ? `system ${g.systemId}` : `stream ${g.stream}`;
  return `${g.category} ${where}: ${g.count} event${g.count === 1 ? '' : 's'}, positions ${g.firstPosition}-${g.lastPosition}, oldest recorded ${g.oldestRecordedAt}, due since ${g.dueSince}`;
}
