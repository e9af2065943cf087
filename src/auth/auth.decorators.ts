import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Caller, Role } from './roles';

export const ROLES_KEY = 'companion:roles';
export const PUBLIC_KEY = 'companion:public';

/** The roles allowed on a route or controller. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** The route needs no API key (health, metrics, docs, signed webhooks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export type RequestWithCaller = FastifyRequest & { caller?: Caller };

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const request = ctx.switchToHttp().getRequest<RequestWithCaller>();
  if (!request.caller) throw new Error('CurrentCaller used on a public route');
  return request.caller;
});
