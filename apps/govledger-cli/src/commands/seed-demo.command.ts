import type { Command } from 'commander';
import { resolve } from 'node:path';
import { CliError, cliConfig, existingIssuer, note, progressBar, serviceUrl } from '../cli-context';
import { seedDemoOrganisation } from '../demo/demo-organisation';
import { LedgerClient } from '../demo/ledger-client';

export function registerSeedDemoCommand(program: Command): void {
  program
    .command('seed-demo')
    .description(
      'write a demo health system into a running ledger through its API: 2 hospitals, 3 AI systems with full lifecycles (one rolled back after a drift breach) and 100k data-access events',
    )
    .option('--url <url>', 'the running ledger (default: LEDGER_URL, else http://127.0.0.1:$PORT)')
    .option('--access-events <n>', 'how many data-access events to emit', '100000')
    .option('--tenant <tenant>', 'the tenant to seed', 'default')
    .action(async (options: { url?: string; accessEvents: string; tenant: string }) => {
      const config = cliConfig();
      if (config.AUTH_JWKS_URL)
        throw new CliError(
          'seed-demo acts as many people and services through the local issuer, which is off because AUTH_JWKS_URL is set',
        );
      const url = serviceUrl(config, options.url);
      const issuer = existingIssuer(config);
      const accessEvents = Number(options.accessEvents);
      if (!Number.isInteger(accessEvents) || accessEvents < 0)
        throw new CliError('--access-events must be a whole number, 0 or more');
      const bar = progressBar({
        format: 'data access [{bar}] {percentage}% {value}/{total} events',
        hideCursor: true,
      });
      note(
        `seeding the demo organisation into the ledger at ${url}, with tokens signed by key ${issuer.keyId} from ${resolve(config.LEDGER_DATA_DIR, 'keys')}`,
      );
      let started = false;
      const report = await seedDemoOrganisation(new LedgerClient(url, issuer, options.tenant), {
        accessEvents,
        onProgress: (written) => {
          if (!started) bar.start(accessEvents, 0);
          started = true;
          bar.update(written);
        },
      });
      if (started) bar.stop();
      const { rollback } = report;
      process.stdout.write(
        [
          `systems:            ${report.systems.join(' ')}`,
          `datasets:           ${report.datasets.join(' ')}`,
          `rolled back:        ${rollback.systemId} (decision ${rollback.decisionId}) by ${rollback.authority}`,
          `authority handover: ${rollback.previousAuthority} -> ${rollback.authority} at ${rollback.handoverAt}`,
          `before the rollback: ${rollback.beforeRollback}`,
          `data-access events: ${report.dataAccessEvents}`,
        ].join('\n') + '\n',
      );
    });
}
