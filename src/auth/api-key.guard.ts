import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';
import { RouteMemo } from '../common/http/route-memo';
import { ApiKeysService } from './api-keys.service';
import { PUBLIC_KEY, RequestWithCaller, ROLES_KEY } from './auth.decorators';
import type { Caller, Role } from './roles';

const DEFAULT_ROLES: Role[] = ['admin'];

function bearerKey(header: string | undefined): string {
  const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(header) : null;
  if (!match) throw new UnauthorizedError('Send an API key as "Authorization: Bearer <key>".');
  return match[1]!;
}

function knownCaller(caller: Caller | null): Caller {
  if (!caller) throw new UnauthorizedError('The API key is unknown or revoked.');
  return caller;
}

/** For paths no route matches: the same 401 as a real route, before the 404. */
export async function authenticateUnmatched(apiKeys: ApiKeysService, header: string | undefined): Promise<void> {
  knownCaller(await apiKeys.authenticate(bearerKey(header)));
}

interface RouteAccess {
  isPublic: boolean;
  allowed: Role[];
}

/** Every route needs `Authorization: Bearer <api key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly access = new RouteMemo<RouteAccess>();

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /**
   * Synchronous for a key verified moments ago (the usual case), so the hot path awaits nothing here; for the header
   * this connection had verified before, not even a hash.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { isPublic, allowed } = this.accessOf(context);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const { authorization } = request.headers;
    const connection = request.raw.socket as object | undefined;
    const presentation = typeof authorization === 'string' && connection ? { connection, authorization } : undefined;
    const known = presentation && this.apiKeys.verifiedOn(presentation);
    if (known) return this.admit(request, known, allowed);

    const key = bearerKey(authorization);
    const recent = this.apiKeys.recentlyVerified(key, presentation);
    if (recent) return this.admit(request, recent, allowed);
    return this.apiKeys.authenticate(key, presentation).then((caller) => this.admit(request, knownCaller(caller), allowed));
  }

  private admit(request: RequestWithCaller, caller: Caller, allowed: Role[]): boolean {
    request.caller = caller;
    if (!allowed.includes(caller.role)) {
      throw new ForbiddenError(`This route needs one of the roles: ${allowed.join(', ')}.`);
    }
    return true;
  }

  private accessOf(context: ExecutionContext): RouteAccess {
    return this.access.get(context, (targets) => ({
      isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
      allowed: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? DEFAULT_ROLES,
    }));
  }
}
