import { CanActivate, ExceptionFilter, Logger, Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { RequestWithCaller } from '../../auth/auth.decorators';
import type { Caller } from '../../auth/roles';
import { ForbiddenError } from '../errors/domain-error';

/** One hot route whose controller method is called straight from its Fastify route. */
export interface DirectRoute<C> {
  method: 'GET';
  /** The path as Nest registers it in Fastify, e.g. '/v1/profiles/:uuid'. */
  url: string;
  controller: Type<C>;
  handler: keyof C & string;
  /** Calls the handler with the arguments its parameter decorators would have extracted. */
  call(controller: C, request: FastifyRequest & { caller: Caller }, reply: FastifyReply): Promise<unknown>;
}

/**
 * Direct routes: the hottest reads answered by calling their controller method from the Fastify
 * route itself, after the same global guards and with errors through the same exception filter.
 * What they skip is Nest's per-request route machinery (arguments through parameter decorators,
 * pipe and interceptor chains, the response controller), measured at about 7 µs of the ~45 µs a
 * keyed read cost. That machinery would do nothing for them: their arguments are plain strings, and
 * the app has no global pipes or interceptors; the app refuses to start if one is added, or if a
 * direct route gains route-level guards, pipes, interceptors or filters.
 */
export function serveDirectRoutes<C>(app: NestFastifyApplication, routes: ReadonlyArray<DirectRoute<C>>): void {
  const config = app.get(ApplicationConfig);
  const fastify = app.getHttpAdapter().getInstance();
  const served: string[] = [];
  fastify.addHook('onRoute', (options: RouteOptions) => {
    const route = routes.find((r) => r.method === options.method && r.url === options.url);
    if (!route) return;
    const handler = (route.controller.prototype as Record<string, unknown>)[route.handler] as (...args: unknown[]) => unknown;
    assertNothingSkipped(config, route, handler);
    options.handler = directHandler(route, app.get(route.controller), handler, config.getGlobalGuards(), config.getGlobalFilters()[0]!);
    served.push(`${route.method} ${route.url}`);
  });
  // A route whose path changed in its controller would otherwise quietly go back to the Nest pipeline.
  fastify.addHook('onReady', (done) => {
    const missing = routes.map((r) => `${r.method} ${r.url}`).filter((r) => !served.includes(r));
    if (missing.length > 0) return done(new Error(`Direct routes not registered by any controller: ${missing.join(', ')}`));
    new Logger('DirectRoutes').log({ routes: served }, 'Served directly: ' + served.join(', '));
    done();
  });
}

function directHandler<C>(
  route: DirectRoute<C>,
  controller: C,
  handler: (...args: unknown[]) => unknown,
  guards: CanActivate[],
  filter: ExceptionFilter,
): RouteOptions['handler'] {
  return async function direct(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    // As Nest's Fastify adapter does: an empty path parameter is no match.
    const params = request.params as Record<string, string>;
    for (const name in params) if (params[name] === '') return reply.callNotFound();
    const context = new ExecutionContextHost([request, reply, undefined], route.controller, handler);
    try {
      for (const guard of guards) {
        // As Nest's guard runner does: a guard that answers synchronously is not awaited.
        const allowed = guard.canActivate(context);
        if (!(typeof allowed === 'boolean' ? allowed : await allowed)) throw new ForbiddenError('Forbidden resource');
      }
      return await route.call(controller, request as RequestWithCaller & { caller: Caller }, reply);
    } catch (error) {
      filter.catch(error, context);
      return reply;
    }
  };
}

function assertNothingSkipped<C>(config: ApplicationConfig, route: DirectRoute<C>, handler: object): void {
  const where = `${route.method} ${route.url}`;
  if (config.getGlobalPipes().length > 0 || config.getGlobalInterceptors().length > 0) {
    throw new Error(`Direct route ${where}: global pipes or interceptors are registered, which a direct route would skip.`);
  }
  if (config.getGlobalFilters().length !== 1) {
    throw new Error(`Direct route ${where}: expects exactly one global exception filter.`);
  }
  for (const key of [GUARDS_METADATA, PIPES_METADATA, INTERCEPTORS_METADATA, EXCEPTION_FILTERS_METADATA]) {
    if (Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, route.controller) !== undefined) {
      throw new Error(`Direct route ${where}: route-level ${key} would be skipped; serve it through Nest instead.`);
    }
  }
}
