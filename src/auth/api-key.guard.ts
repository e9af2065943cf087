import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';
import { PUBLIC_KEY, RequestWithCaller, ROLES_KEY } from './auth.decorators';
import type { Caller, Role } from './roles';

const DEFAULT_ROLES: Role[] = ['admin'];

async function authenticateHeader(apiKeys: ApiKeysService, header: string | undefined): Promise<Caller> {
  const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(header) : null;
  if (!match) throw new UnauthorizedError('Send an API key as "Authorization: Bearer <key>".');
  const caller = await apiKeys.authenticate(match[1]!);
  if (!caller) throw new UnauthorizedError('The API key is unknown or revoked.');
  return caller;
}

/** For paths no route matches: the same 401 as a real route, before the 404. */
export async function authenticateUnmatched(apiKeys: ApiKeysService, header: string | undefined): Promise<void> {
  await authenticateHeader(apiKeys, header);
}

/** Every route needs `Authorization: Bearer <api key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const caller = await authenticateHeader(this.apiKeys, request.headers.authorization);
    request.caller = caller;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? DEFAULT_ROLES;
    if (!allowed.includes(caller.role)) {
      throw new ForbiddenError(`This route needs one of the roles: ${allowed.join(', ')}.`);
    }
    return true;
  }
}
