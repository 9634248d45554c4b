import { PROJECTIONS, rebuildProjection } from '@ledger/read-models';
import type { Command } from 'commander';
import { openConfiguredReadStore } from '@ledger/runtime';
import { announceLedger, CliError, progressBar } from '../cli-context';
import { cliConfig, openExistingEventStore } from '../ledger-access';

export function registerRebuildProjectionsCommand(program: Command): void {
  program
    .command('rebuild-projections [name]')
    .description(
      `rebuild read models from the event store into fresh tables and swap them in atomically, while the service keeps answering (${PROJECTIONS.map((p) => p.name).join(', ')}; default: all)`,
    )
    .action(async (name: string | undefined) => {
      const chosen = name === undefined ? [...PROJECTIONS] : PROJECTIONS.filter((p) => p.name === name);
      if (chosen.length === 0)
        throw new CliError(
          `no projection named ${name}; choose one of ${PROJECTIONS.map((p) => p.name).join(', ')}`,
        );
      const config = cliConfig();
      announceLedger(config);
      const store = await openExistingEventStore(config);
      const readStore = await openConfiguredReadStore(config);
      try {
        for (const definition of chosen) {
          const bar = progressBar({
            format: `${definition.name.padEnd(12)} [{bar}] {percentage}% {value}/{total} events`,
            hideCursor: true,
          });
          bar.start(1, 0);
          const { position } = await rebuildProjection(store, readStore, definition as never, {
            onProgress: ({ position: at, head }) => {
              bar.setTotal(Math.max(1, Number(head)));
              bar.update(Number(at));
            },
          });
          bar.update(Number(position));
          bar.stop();
          process.stdout.write(`rebuilt ${definition.name} up to position ${position}\n`);
        }
      } finally {
        await readStore.close();
        await store.close();
      }
    });
}
