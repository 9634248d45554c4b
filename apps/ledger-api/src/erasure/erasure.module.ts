import { Module } from '@nestjs/common';
import { ErasureService } from './erasure.service';
import { RequestErasureResolver } from './request-erasure.resolver';

/** Erasure of personal data on a data protection officer's decision, every hash kept. */
@Module({
  providers: [ErasureService, RequestErasureResolver],
})
export class ErasureModule {}
