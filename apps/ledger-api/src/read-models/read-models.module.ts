import { Global, Module } from '@nestjs/common';
import { AuditQueriesResolver } from '../queries/audit-queries.resolver';
import { ProjectionsService } from './projections.service';
import { ReadStoreModule } from './read-store.module';

@Global()
@Module({
  imports: [ReadStoreModule],
  providers: [ProjectionsService, AuditQueriesResolver],
  exports: [ProjectionsService],
})
export class ReadModelsModule {}
