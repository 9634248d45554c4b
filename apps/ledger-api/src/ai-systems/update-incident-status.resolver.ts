import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, Length, Matches } from 'class-validator';
import { INCIDENT_PROGRESS, type IncidentProgress } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class UpdateIncidentStatusInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @IsIn(INCIDENT_PROGRESS) status!: IncidentProgress;
  @Length(1, 4000) note!: string;
}

@Resolver()
export class UpdateIncidentStatusResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  updateIncidentStatus(
    @Args('input') input: UpdateIncidentStatusInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'UpdateIncidentStatus',
      ...input,
      meta,
    }));
  }
}
