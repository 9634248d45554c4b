import { Global, Module } from '@nestjs/common';
import { AuditQueriesResolver, DataAccessConnectionResolver } from '../queries/audit-queries.resolver';
import { OutputsResolver, PerformanceResolver } from '../queries/clinical-use.resolver';
import { ProjectionsService } from './projections.service';
import { ReadStoreModule } from './read-store.module';

@Global()
@Module({
  imports: [ReadStoreModule],
  providers: [
    ProjectionsService,
    AuditQueriesResolver,
    DataAccessConnectionResolver,
    OutputsResolver,
    PerformanceResolver,
  ],
  exports: [ProjectionsService],
})
export class ReadModelsModule {}
