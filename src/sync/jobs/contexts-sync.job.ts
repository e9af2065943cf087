import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { KnownUsersRepository } from '../../identity/known-users.repository';
import { UserContextLinksRepository } from '../../identity/user-context-links.repository';
import { isAnonymousId } from '../../identity/user-contexts.service';
import { UpstreamNotFoundError } from '../../opigno/opigno.errors';
import { OpignoClient } from '../../opigno/opigno.client';
import type { UserContext } from '../../opigno/opigno.types';
import type { ListPageOptions, ProcessContext, ProcessResult, SyncJob, WorkItem, WorkPage } from '../sync-job';
import { SyncJobRegistry } from '../sync-job.registry';
import { knownUsersPage } from './user-page';

/**
 * `contexts`: reads every known user's Opigno context and updates the local link (display name,
 * isActive, scope). Users that disappeared or were deactivated upstream are logged and visible on their link.
 */
@Injectable()
export class ContextsSyncJob implements SyncJob, OnModuleInit {
  readonly name = 'contexts';
  readonly pageSize = 200;
  private readonly logger = new Logger(ContextsSyncJob.name);

  constructor(
    private readonly registry: SyncJobRegistry,
    private readonly users: KnownUsersRepository,
    private readonly opigno: OpignoClient,
    private readonly links: UserContextLinksRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  listPage(checkpoint: string | null, options: ListPageOptions): Promise<WorkPage<WorkItem>> {
    return knownUsersPage(this.users, checkpoint, options.pageSize);
  }

  async process(item: WorkItem, _context: ProcessContext): Promise<ProcessResult> {
    const uuid = item.key;
    const link = await this.links.findByUuid(uuid);
    let context: UserContext;
    try {
      context = await this.opigno.getUserContext(uuid);
    } catch (error) {
      if (!(error instanceof UpstreamNotFoundError)) throw error;
      if (!link) return 'skipped';
      if (link.missingUpstreamAt !== null) return 'unchanged';
      this.logger.warn({ uuid, job: this.name }, 'User context disappeared upstream');
      return { outcome: 'updated', commit: (manager) => this.links.markMissingUpstream(uuid, new Date().toISOString(), manager) };
    }
    const save = {
      commit: async (manager: EntityManager): Promise<void> => {
        await this.links.saveFromUpstream(context, link?.anonymous ?? isAnonymousId(uuid), new Date().toISOString(), manager);
      },
    };
    if (!link) return { outcome: 'added', ...save };
    const changed =
      link.opignoId !== context.id ||
      link.displayName !== context.displayName ||
      link.isActive !== context.isActive ||
      link.scope !== context.scope ||
      link.missingUpstreamAt !== null;
    if (!changed) return 'unchanged';
    if (link.isActive && !context.isActive) this.logger.warn({ uuid, job: this.name }, 'User context was deactivated upstream');
    return { outcome: 'updated', ...save };
  }
}
