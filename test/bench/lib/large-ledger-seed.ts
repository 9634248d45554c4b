/** The steps that make the large ledger (see large-ledger.ts), each in a child, so the runner stays lean. */
import { LocalIssuer } from '@ledger/auth';
import type { NewEvent } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { streamNames, tenantStream } from '@ledger/domain';
import { instantRange, loadConfig, openEventStore } from '@ledger/runtime';
import {
  demoAccess,
  seedDemoOrganisation,
  type SeedReport,
} from '../../../apps/govledger-cli/src/demo/demo-organisation';
import { LedgerClient } from '../../../apps/govledger-cli/src/demo/ledger-client';
import { toIngestedEvent } from '../../../apps/ledger-api/src/ingest/ingest-item';
import { Pseudonymiser } from '../../../apps/ledger-api/src/privacy/pseudonymiser';
import { progress } from './progress';
import { serviceEnv } from './service-env';

const TENANT = 'default';

/** The demo organisation's governance (3 systems, their role holders, versions, a rollback, dataset grants), through the service's GraphQL mutations. */
export async function seedGovernance({
  dataDir,
  url,
}: {
  dataDir: string;
  url: string;
}): Promise<SeedReport> {
  const config = loadConfig(serviceEnv(dataDir));
  const issuer = await LocalIssuer.open(join(dataDir, 'keys'), config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  return seedDemoOrganisation(new LedgerClient(url, issuer, TENANT), {
    accessEvents: 0,
    onProgress: () => undefined,
  });
}

/** Demo items per round: each of the three audit sources then appends about a thousand. */
const ROUND = 3000;

/**
 * A time-ordered (version 7) UUID, as many emitters now mint them: random
 * ones, as the demo sends, make each append of a thousand dirty a thousand
 * scattered pages of the store's event_id index, which at a million events
 * doubles the seeding time for a ledger that reads back the same.
 */
function uuidV7(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  // randomUUID draws from a buffered pool; its last 74 random bits and variant stay, its version becomes 7.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}

/**
 * The demo's data accesses, `count` of them, each item turned into its event
 * exactly as POST /v1/events turns it (validated, patient pseudonymised with
 * the service's key) and appended to its emitter's stream in batches of about
 * a thousand, without HTTP in between: the ledger is the subject, not its making.
 */
export async function appendAccesses({
  dataDir,
  count,
}: {
  dataDir: string;
  count: number;
}): Promise<{ events: number; seconds: number }> {
  const config = loadConfig(serviceEnv(dataDir));
  // Seeding is set-up, not a measurement: NORMAL spares an fsync per batch.
  const store = await openEventStore(
    loadConfig({ ...serviceEnv(dataDir), LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL' }),
  );
  const pseudonymiser = new Pseudonymiser(Buffer.from(config.LEDGER_PSEUDONYM_KEY!, 'hex'));
  const started = performance.now();
  try {
    for (let from = 0; from < count; from += ROUND) {
      const byService = new Map<string, NewEvent[]>();
      for (let n = from; n < Math.min(from + ROUND, count); n++) {
        const { service, item } = demoAccess(n);
        const ingested = toIngestedEvent(
          { ...item, eventId: uuidV7() },
          { id: service, role: 'emitter', tenantId: TENANT },
          undefined,
          pseudonymiser,
          instantRange(config),
        );
        if (!ingested.event)
          throw new Error(
            `demo access ${n} is not a valid ingest item: ${ingested.problems.map((p) => p.message).join('; ')}`,
          );
        const events = byService.get(service) ?? [];
        events.push(ingested.event);
        byService.set(service, events);
      }
      for (const [service, events] of byService)
        await store.append(tenantStream(TENANT, streamNames.dataAccess(service)), events, 'any');
      if ((from + ROUND) % 100_000 < ROUND)
        progress(
          `large ledger: ${Math.min(from + ROUND, count).toLocaleString('en-US')} data accesses appended`,
        );
    }
    return { events: count, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}
