import {
  type BeforeApplicationShutdown,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import {
  LedgerKeys,
  MerkleLog,
  MerkleProofService,
  parseTlogWitnesses,
  parseWitnesses,
} from '@ledger/transparency-log';
import type { ReadStore } from '@ledger/read-store';
import { LedgerConfig, ledgerKeysOptions } from '@ledger/runtime';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectionsService } from '../read-models/projections.service';
import { READ_STORE } from '../read-models/read-store.module';
import { EVENT_STORE } from '../store/event-store.module';
import { IntegrityController } from './integrity.controller';
import { LedgerEventProofResolver, ProofQueriesResolver } from './proofs.resolver';
import { registerTimestampMetrics } from './timestamp-metrics';
import { registerWitnessMetrics } from './witness-metrics';

function openMerkleLog(
  config: LedgerConfig,
  store: EventStore,
  readStore: ReadStore,
  keys: LedgerKeys,
  projections: ProjectionsService,
  metrics: MetricsService,
): MerkleLog {
  const logger = new Logger('Sealer');
  const log = new MerkleLog({
    store,
    readStore,
    keys,
    origin: config.LEDGER_ORIGIN,
    checkpointEveryEvents: config.LEDGER_CHECKPOINT_EVERY_EVENTS,
    checkpointEveryMs: config.LEDGER_CHECKPOINT_EVERY_MS,
    witnesses: parseWitnesses(config.LEDGER_WITNESSES),
    tsaUrl: config.LEDGER_TSA_URL,
    cosigningWitnesses: parseTlogWitnesses(config.LEDGER_TLOG_WITNESSES),
    logger: {
      info: (details, message) => logger.log({ ...details, msg: message }),
      warn: (details, message) => logger.warn({ ...details, msg: message }),
      error: (details, message) => logger.error({ ...details, msg: message }),
    },
  });
  // Started and stopped with the projections, and reported beside them in /health/ready and /metrics.
  projections.register(log.runner);
  registerWitnessMetrics(metrics.registry, log);
  if (log.timestamps) registerTimestampMetrics(metrics.registry, log.timestamps);
  return log;
}

/** The sealer's own rhythm around the shared runner: time-based checkpoints, and a last one at shutdown. */
@Injectable()
class SealerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MerkleLog) private readonly log: MerkleLog) {}

  onApplicationBootstrap(): void {
    this.log.startCheckpointTimer();
  }

  /** Before the read store closes (onApplicationShutdown): stop sealing, sign what was sealed, hand it to the witnesses. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.log.stop();
  }
}

/**
 * Tamper evidence: the sealer inside the service, the signed checkpoint and
 * proofs over HTTP and GraphQL. MerkleProofService is exported for evidence exports.
 */
@Global()
@Module({
  controllers: [IntegrityController],
  providers: [
    {
      provide: LedgerKeys,
      inject: [LedgerConfig],
      useFactory: (config: LedgerConfig) => LedgerKeys.open(ledgerKeysOptions(config)),
    },
    {
      provide: MerkleLog,
      inject: [LedgerConfig, EVENT_STORE, READ_STORE, LedgerKeys, ProjectionsService, MetricsService],
      useFactory: openMerkleLog,
    },
    { provide: MerkleProofService, inject: [MerkleLog], useFactory: (log: MerkleLog) => log.proofs },
    SealerLifecycle,
    ProofQueriesResolver,
    LedgerEventProofResolver,
  ],
  exports: [MerkleProofService, LedgerKeys, MerkleLog],
})
export class IntegrityModule {}
