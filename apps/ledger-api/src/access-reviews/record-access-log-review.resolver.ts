import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsOptional, Length, Matches } from 'class-validator';
import { ACCESS_REVIEW_OUTCOMES, type AccessReviewOutcome } from '@ledger/domain';
import { AiSystemCommands, DatasetCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import { ProblemError } from '../errors/problem';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RecordAccessLogReviewInput {
  @IsOptional() @Matches(ID, ID_RULE) systemId?: string;
  @IsOptional() @Matches(ID, ID_RULE) datasetId?: string;
  @IsISO8601({ strict: true }) periodFrom!: string;
  @IsISO8601({ strict: true }) periodTo!: string;
  @IsIn(ACCESS_REVIEW_OUTCOMES) outcome!: AccessReviewOutcome;
  @Length(1, 4000) note!: string;
}

/**
 * A review is recorded on the stream of what was reviewed, so the system's or
 * the dataset's own history shows when its access logs were last read.
 */
@Resolver()
export class RecordAccessLogReviewResolver {
  constructor(
    private readonly aiSystems: AiSystemCommands,
    private readonly datasets: DatasetCommands,
  ) {}

  @Mutation()
  recordAccessLogReview(
    @Args('input') input: RecordAccessLogReviewInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    const { systemId, datasetId, periodFrom, periodTo, outcome, note } = input;
    const review = { periodFrom, periodTo, outcome, note };
    if (systemId && !datasetId)
      return this.aiSystems.handle(ctx, systemId, (meta) => ({
        type: 'RecordAccessLogReview',
        systemId,
        ...review,
        meta,
      }));
    if (datasetId && !systemId)
      return this.datasets.handle(ctx, datasetId, (meta) => ({
        type: 'RecordDatasetAccessLogReview',
        datasetId,
        ...review,
        meta,
      }));
    throw new ProblemError({
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'systemId',
      message:
        'name exactly one of systemId or datasetId: the system or the dataset whose access logs were reviewed',
    });
  }
}
