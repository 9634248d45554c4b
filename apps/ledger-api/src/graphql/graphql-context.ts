import type { FastifyReply, FastifyRequest } from 'fastify';
import { commandContext, type CommandContext } from '../commands/command-context';
import { callerFrom, correlationIdFrom } from '../request-context/caller';

export interface GraphqlContext {
  request: FastifyRequest;
  reply: FastifyReply;
}

export function graphqlCommandContext(ctx: GraphqlContext): CommandContext {
  return commandContext(callerFrom(ctx.request), 'ledger-api/graphql', correlationIdFrom(ctx.request));
}
