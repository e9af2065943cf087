import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { OpignoConnectionRow } from './opigno-connection.entity';

const CURRENT_ROW_ID = 'current';

export type OpignoConnectionValues = Omit<OpignoConnectionRow, 'id'>;

@Injectable()
export class OpignoConnectionRepository {
  private readonly repo: Repository<OpignoConnectionRow>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(OpignoConnectionRow);
  }

  findCurrent(): Promise<OpignoConnectionRow | null> {
    return this.repo.findOneBy({ id: CURRENT_ROW_ID });
  }

  /** Only the revision, for the cheap "did another instance change it?" check. */
  async findCurrentRevision(): Promise<string | null> {
    const row = await this.repo.findOne({ select: { revision: true }, where: { id: CURRENT_ROW_ID } });
    return row?.revision ?? null;
  }

  async saveCurrent(values: OpignoConnectionValues): Promise<OpignoConnectionRow> {
    const row: OpignoConnectionRow = { id: CURRENT_ROW_ID, ...values };
    await this.repo.upsert(row, ['id']);
    return row;
  }

  /** Forgets the stored connection; answers whether there was one. */
  async deleteCurrent(): Promise<boolean> {
    const result = await this.repo.delete({ id: CURRENT_ROW_ID });
    return (result.affected ?? 0) > 0;
  }
}
