import { Module } from '@nestjs/common';
import { AiSystemsModule } from '../ai-systems/ai-systems.module';
import { ComputedMonitoringService } from './computed-monitoring.service';

/** The ledger's own monitoring worker; it records through the AI systems' command path. */
@Module({
  imports: [AiSystemsModule],
  providers: [ComputedMonitoringService],
})
export class MonitoringModule {}
