import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { FieldError } from '../common/errors/domain-error';
import { OpignoClient } from '../opigno/opigno.client';
import type { UserContext } from '../opigno/opigno.types';
import { InvalidUserContextRequestError } from './identity.errors';
import { UserContextLink } from './user-context-link.entity';
import { UserContextLinksRepository } from './user-context-links.repository';
import type { CreateUserContextDto, UpdateUserContextDto, UserContextDto } from './dto/user-context.dto';

export const ANONYMOUS_DISPLAY_NAME = 'Anonymous User';
export const ANONYMIZED_DISPLAY_NAME = 'Former learner';

export function isAnonymousId(uuid: string): boolean {
  return uuid.startsWith('anon-');
}

function toView(context: UserContext, link: UserContextLink | null): UserContextDto {
  return {
    uuid: context.uuid,
    opignoId: context.id,
    displayName: context.displayName,
    isActive: context.isActive,
    scope: context.scope,
    anonymous: link?.anonymous ?? (context.scope === null && isAnonymousId(context.uuid)),
    linkedAt: link?.createdAt ?? null,
    syncedAt: link?.syncedAt ?? null,
  };
}

/** Opigno user contexts, proxied upstream, with the local link written only after the upstream accepted. */
@Injectable()
export class UserContextsService {
  constructor(
    private readonly opigno: OpignoClient,
    private readonly links: UserContextLinksRepository,
  ) {}

  async create(input: CreateUserContextDto): Promise<{ context: UserContextDto; created: boolean }> {
    const anonymous = input.anonymous === true;
    if (anonymous) {
      const conflicting: FieldError[] = (['uuid', 'displayName', 'scope'] as const)
        .filter((field) => input[field] !== undefined)
        .map((field) => ({ field, code: 'not_allowed', message: `${field} is chosen by the companion for anonymous contexts` }));
      if (conflicting.length > 0)
        throw new InvalidUserContextRequestError('Anonymous contexts take no uuid, displayName or scope.', { errors: conflicting });
    } else {
      const missing: FieldError[] = (['uuid', 'displayName'] as const)
        .filter((field) => input[field] === undefined)
        .map((field) => ({ field, code: 'required', message: `${field} is required for an authenticated context` }));
      if (missing.length > 0) throw new InvalidUserContextRequestError('uuid and displayName are required.', { errors: missing });
    }

    const uuid = anonymous ? `anon-${randomBytes(16).toString('hex')}` : input.uuid!;
    const existing = await this.links.findByUuid(uuid);
    const context = await this.opigno.setUserContext(
      anonymous
        ? { uuid, displayName: ANONYMOUS_DISPLAY_NAME, isActive: true }
        : { uuid, displayName: input.displayName, isActive: input.isActive ?? true, scope: input.scope ?? 'AUTHENTICATED' },
    );
    const link = await this.links.saveFromUpstream(context, anonymous, new Date().toISOString());
    return { context: toView(context, link), created: existing === null };
  }

  async get(uuid: string): Promise<UserContextDto> {
    const context = await this.opigno.getUserContext(uuid);
    const existing = await this.links.findByUuid(uuid);
    const link = existing ? await this.links.saveFromUpstream(context, existing.anonymous, new Date().toISOString()) : null;
    return toView(context, link);
  }

  async update(uuid: string, changes: UpdateUserContextDto): Promise<UserContextDto> {
    if (changes.displayName === undefined && changes.isActive === undefined) {
      throw new InvalidUserContextRequestError('Nothing to change.', {
        errors: [{ field: 'displayName', code: 'required', message: 'send displayName and/or isActive' }],
      });
    }
    // Reading first makes an unknown user a 404 instead of silently creating a context upstream.
    await this.opigno.getUserContext(uuid);
    const context = await this.opigno.setUserContext({ uuid, displayName: changes.displayName, isActive: changes.isActive });
    const existing = await this.links.findByUuid(uuid);
    const link = await this.links.saveFromUpstream(context, existing?.anonymous ?? isAnonymousId(uuid), new Date().toISOString());
    return toView(context, link);
  }

  /** Replaces the upstream display name with a neutral one; the caller clears local personal data. */
  async anonymizeUpstream(uuid: string): Promise<UserContextDto> {
    await this.opigno.getUserContext(uuid);
    const context = await this.opigno.setUserContext({ uuid, displayName: ANONYMIZED_DISPLAY_NAME });
    const existing = await this.links.findByUuid(uuid);
    const link = await this.links.saveFromUpstream(context, existing?.anonymous ?? false, new Date().toISOString());
    return toView(context, link);
  }

  async deactivateUpstream(uuid: string): Promise<UserContextDto> {
    const context = await this.opigno.setUserContext({ uuid, isActive: false });
    const existing = await this.links.findByUuid(uuid);
    const link = existing ? await this.links.saveFromUpstream(context, existing.anonymous, new Date().toISOString()) : null;
    return toView(context, link);
  }
}
