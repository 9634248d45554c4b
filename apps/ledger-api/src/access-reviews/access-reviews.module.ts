import { Module } from '@nestjs/common';
import { AiSystemCommands, DatasetCommands } from '../commands/handle-command';
import { RecordAccessLogReviewResolver } from './record-access-log-review.resolver';

/** Reviews of access logs: recorded on the reviewed system's or dataset's stream. */
@Module({ providers: [AiSystemCommands, DatasetCommands, RecordAccessLogReviewResolver] })
export class AccessReviewsModule {}
