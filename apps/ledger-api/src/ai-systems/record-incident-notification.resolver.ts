import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { IsIn, IsISO8601, Length, Matches } from 'class-validator';
import {
  NOTIFICATION_KINDS,
  NOTIFICATION_RECIPIENTS,
  type NotificationKind,
  type NotificationRecipient,
} from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RecordIncidentNotificationInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Matches(ID, ID_RULE) incidentId!: string;
  @IsIn(NOTIFICATION_RECIPIENTS) recipient!: NotificationRecipient;
  @IsIn(NOTIFICATION_KINDS) kind!: NotificationKind;
  @Length(1, 500) reference!: string;
  @IsISO8601({ strict: true }) sentAt!: string;
}

@Resolver()
export class RecordIncidentNotificationResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  recordIncidentNotification(
    @Args('input') input: RecordIncidentNotificationInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RecordIncidentNotification',
      ...input,
      meta,
    }));
  }
}
