import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerConfig } from './config/ledger-config';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { EventStoreModule } from './store/event-store.module';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [MetricsModule, EventStoreModule],
      controllers: [HealthController],
      providers: [{ provide: LedgerConfig, useValue: config }],
      exports: [LedgerConfig],
    };
  }
}
