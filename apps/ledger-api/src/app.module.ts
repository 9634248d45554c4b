import { type DynamicModule, Module } from '@nestjs/common';
import { governancePolicy, LedgerConfig } from '@ledger/runtime';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { EventStoreModule } from './store/event-store.module';
import { AccessReviewsModule } from './access-reviews/access-reviews.module';
import { AiSystemsModule } from './ai-systems/ai-systems.module';
import { GOVERNANCE_POLICY } from './commands/governance-policy';
import { DatasetsModule } from './datasets/datasets.module';
import { LegalHoldsModule } from './legal-holds/legal-holds.module';
import { LedgerGraphqlModule } from './graphql/graphql.module';
import { LedgerResolver } from './graphql/ledger.resolver';
import { IngestModule } from './ingest/ingest.module';
import { AuthModule } from './auth/auth.module';
import { IntegrityModule } from './integrity/integrity.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ReadModelsModule } from './read-models/read-models.module';
import { EvidenceModule } from './evidence/evidence.module';
import { ErasureModule } from './erasure/erasure.module';
import { ConsoleModule } from './console/console.module';
import { MonitoringModule } from './monitoring/monitoring.module';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        MetricsModule,
        EventStoreModule,
        AuthModule,
        PrivacyModule,
        ReadModelsModule,
        IntegrityModule,
        LedgerGraphqlModule,
        AiSystemsModule,
        DatasetsModule,
        LegalHoldsModule,
        AccessReviewsModule,
        IngestModule,
        EvidenceModule,
        ErasureModule,
        ConsoleModule,
        MonitoringModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: LedgerConfig, useValue: config },
        { provide: GOVERNANCE_POLICY, useValue: governancePolicy(config) },
        LedgerResolver,
      ],
      exports: [LedgerConfig, GOVERNANCE_POLICY],
    };
  }
}
