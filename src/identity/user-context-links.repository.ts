import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan, Repository } from 'typeorm';
import type { UserContext } from '../opigno/opigno.types';
import { UserContextLink } from './user-context-link.entity';

@Injectable()
export class UserContextLinksRepository {
  private readonly repo: Repository<UserContextLink>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(UserContextLink);
  }

  findByUuid(uuid: string, manager?: EntityManager): Promise<UserContextLink | null> {
    return (manager?.getRepository(UserContextLink) ?? this.repo).findOneBy({ uuid });
  }

  /** Records what the upstream answered; keeps the creation time of an existing link. */
  async saveFromUpstream(context: UserContext, anonymous: boolean, now: string, manager?: EntityManager): Promise<UserContextLink> {
    const repo = manager?.getRepository(UserContextLink) ?? this.repo;
    const existing = await repo.findOneBy({ uuid: context.uuid });
    const link: UserContextLink = {
      uuid: context.uuid,
      opignoId: context.id,
      displayName: context.displayName,
      isActive: context.isActive,
      scope: context.scope,
      anonymous: existing?.anonymous ?? anonymous,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      syncedAt: now,
      missingUpstreamAt: null,
    };
    await repo.save(link);
    return link;
  }

  async markMissingUpstream(uuid: string, now: string, manager?: EntityManager): Promise<void> {
    await (manager?.getRepository(UserContextLink) ?? this.repo).update({ uuid }, { missingUpstreamAt: now, syncedAt: now });
  }

  /** Keyset page of links in uuid order (sync jobs). */
  listAfter(afterUuid: string | null, limit: number): Promise<UserContextLink[]> {
    return this.repo.find({ where: afterUuid === null ? {} : { uuid: MoreThan(afterUuid) }, order: { uuid: 'ASC' }, take: limit });
  }

  async deleteByUuid(uuid: string, manager?: EntityManager): Promise<number> {
    const result = await (manager?.getRepository(UserContextLink) ?? this.repo).delete({ uuid });
    return result.affected ?? 0;
  }
}
