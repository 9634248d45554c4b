import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Length, Matches } from 'class-validator';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class CloseIncidentInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @Length(1, 4000) resolution!: string;
}

@Resolver()
export class CloseIncidentResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  closeIncident(
    @Args('input') input: CloseIncidentInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({ type: 'CloseIncident', ...input, meta }));
  }
}
