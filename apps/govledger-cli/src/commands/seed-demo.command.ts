import type { Command } from 'commander';
import { resolve } from 'node:path';
import { CliError, note, progressBar } from '../cli-context';
import { cliConfig, existingIssuer, serviceUrl } from '../ledger-access';
import type { SingleBar } from 'cli-progress';
import { type SeedProgress, seedDemoOrganisation } from '../demo/demo-organisation';
import { LedgerClient } from '../demo/ledger-client';
import { DEMO_SEPSIS_OUTPUTS } from '../demo/sepsis-clinical-use';

const wholeNumber = (value: string, option: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${option} must be a whole number, 0 or more`);
  return n;
};

export function registerSeedDemoCommand(program: Command): void {
  program
    .command('seed-demo')
    .description(
      'write a demo health system into a running ledger through its API: 2 hospitals, 3 AI systems with full lifecycles, 8 weeks of the sepsis predictor in clinical use whose drift the ledger computes and which is rolled back for it, and 100k data-access events',
    )
    .option('--url <url>', 'the running ledger (default: LEDGER_URL, else http://127.0.0.1:$PORT)')
    .option('--access-events <n>', 'how many data-access events to emit', '100000')
    .option(
      '--sepsis-outputs <n>',
      'how many sepsis predictor outputs the 8 weeks of clinical use hold (0: none)',
      String(DEMO_SEPSIS_OUTPUTS),
    )
    .option('--tenant <tenant>', 'the tenant to seed', 'default')
    .action(
      async (options: { url?: string; accessEvents: string; sepsisOutputs: string; tenant: string }) => {
        const config = cliConfig();
        if (config.AUTH_JWKS_URL)
          throw new CliError(
            'seed-demo acts as many people and services through the local issuer, which is off because AUTH_JWKS_URL is set',
          );
        const url = serviceUrl(config, options.url);
        const issuer = existingIssuer(config);
        const accessEvents = wholeNumber(options.accessEvents, '--access-events');
        const sepsisOutputs = wholeNumber(options.sepsisOutputs, '--sepsis-outputs');
        note(
          `seeding the demo organisation into the ledger at ${url}, with tokens signed by key ${issuer.keyId} from ${resolve(config.LEDGER_DATA_DIR, 'keys')}`,
        );
        // One bar per phase that has a known size; the wait for the ledger's monitoring is a line of its own.
        let bar: { phase: string; bar: SingleBar } | undefined;
        let computed = -1;
        const show = (phase: string, value: number, total: number) => {
          if (bar?.phase !== phase) {
            bar?.bar.stop();
            bar = {
              phase,
              bar: progressBar({
                format: `${phase.padEnd(12)} [{bar}] {percentage}% {value}/{total} events`,
                hideCursor: true,
              }),
            };
            bar.bar.start(total, 0);
          }
          bar.bar.update(value);
        };
        const onProgress = (progress: SeedProgress) => {
          if (progress.phase === 'monitoring') {
            bar?.bar.stop();
            bar = undefined;
            if (progress.computed !== computed)
              note(
                `waiting for the ledger to compute the sepsis predictor's monitoring: ${progress.computed} signals so far`,
              );
            computed = progress.computed;
          } else if (progress.phase === 'clinical use') show(progress.phase, progress.sent, progress.total);
          else show(progress.phase, progress.written, progress.total);
        };
        const report = await seedDemoOrganisation(new LedgerClient(url, issuer, options.tenant), {
          accessEvents,
          sepsisOutputs,
          onProgress,
        });
        bar?.bar.stop();
        const { rollback, clinicalUse } = report;
        process.stdout.write(
          [
            `systems:            ${report.systems.join(' ')}`,
            `datasets:           ${report.datasets.join(' ')}`,
            `rolled back:        ${rollback.systemId} (decision ${rollback.decisionId}) by ${rollback.authority}`,
            `authority handover: ${rollback.previousAuthority} -> ${rollback.authority} at ${rollback.handoverAt}`,
            `before the rollback: ${rollback.beforeRollback}`,
            ...(clinicalUse
              ? [
                  `clinical use:       ${clinicalUse.outputs} outputs, ${clinicalUse.responses} clinician responses, ${clinicalUse.outcomes} outcomes from ${clinicalUse.from} to ${clinicalUse.to}`,
                  `computed signals:   ${clinicalUse.signals}, ${clinicalUse.breaches} breached; the rollback cites ${clinicalUse.evidence
                    .map(
                      (s) =>
                        `${s.metric}${s.subgroup ? ` ${s.subgroup}` : ''} ${s.value.toFixed(3)} (week to ${s.observedAt})`,
                    )
                    .join(', ')}`,
                  `patient ${clinicalUse.patient.patientId}: scored by ${clinicalUse.patient.before.version} at ${clinicalUse.patient.before.at}, by ${clinicalUse.patient.after.version} at ${clinicalUse.patient.after.at}`,
                ]
              : []),
            `data-access events: ${report.dataAccessEvents}`,
          ].join('\n') + '\n',
        );
      },
    );
}
