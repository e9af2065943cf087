import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Answers every error as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    sendProblem(error, request, reply, this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Pick<Logger, 'error'>): void {
  const answer = toProblem(error);
  if (answer.unexpected) {
    logger.error({ err: error, requestId: request.id, route: request.routeOptions?.url }, 'Unhandled error');
  }
  if (reply.sent) return;
  answer.body.instance = request.url.split('?')[0];
  answer.body.requestId = String(request.id);
  void reply.status(answer.status).headers(answer.headers).type(PROBLEM_CONTENT_TYPE).send(answer.body);
}
