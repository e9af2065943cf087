import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  private readonly repo: Repository<ApiKey>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(ApiKey);
  }

  insert(key: ApiKey): Promise<unknown> {
    return this.repo.insert(key);
  }

  findActiveByHash(hash: string): Promise<ApiKey | null> {
    return this.repo.findOneBy({ hash, revokedAt: IsNull() });
  }

  findById(id: string): Promise<ApiKey | null> {
    return this.repo.findOneBy({ id });
  }

  listAll(): Promise<ApiKey[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  async markRevoked(id: string, at: string): Promise<void> {
    await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at });
  }

  async touchLastUsed(id: string, at: string): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }
}
