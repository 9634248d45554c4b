import type { FastifyReply, FastifyRequest } from 'fastify';

export interface GraphqlContext {
  request: FastifyRequest;
  reply: FastifyReply;
}
