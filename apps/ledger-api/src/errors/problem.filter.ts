import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logFailure, toProblem } from './problem';

/** HTTP routes answer every failure as `{ error: Problem }` with the problem's status. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error);
    logFailure(http.getRequest<FastifyRequest>().log, problem, error);
    const { status, ...body } = problem;
    void reply.status(status).send({ error: body });
  }
}
