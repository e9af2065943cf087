import { Injectable } from '@nestjs/common';
import { BadRequestError, NotFoundError } from '../../common/errors/domain-error';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination/cursor';
import { toBoolean } from '../../sync/sql';
import { LearningPath } from './learning-path.entity';
import { LearningPathsRepository } from './learning-paths.repository';

export interface LearningPathView {
  lpId: string;
  title: string;
  certificationEnabled: boolean;
  syncedAt: string;
  removedAt: string | null;
}

export class LearningPathNotFoundError extends NotFoundError {
  constructor(lpId: string) {
    super(`No learning path ${lpId} has been synced from the catalogue.`, 'learning_path_not_found');
  }
}

function toView(path: LearningPath): LearningPathView {
  return {
    lpId: path.lpId,
    title: path.title,
    certificationEnabled: toBoolean(path.certificationEnabled),
    syncedAt: path.syncedAt,
    removedAt: path.removedAt,
  };
}

/** Reads the synced learning-path catalogue. */
@Injectable()
export class LearningPathsService {
  constructor(private readonly paths: LearningPathsRepository) {}

  async get(lpId: string): Promise<LearningPathView> {
    const path = await this.paths.findByLpId(lpId);
    if (!path) throw new LearningPathNotFoundError(lpId);
    return toView(path);
  }

  async list(query: { limit: number; cursor?: string; includeRemoved: boolean }): Promise<Page<LearningPathView>> {
    let afterLpId: string | undefined;
    if (query.cursor !== undefined) {
      const position = decodeCursor(query.cursor);
      if (typeof position.lp !== 'string') {
        throw new BadRequestError('invalid_cursor', 'The cursor is not one this API issued.', [
          { field: 'cursor', code: 'invalid_cursor', message: 'must be a nextCursor value from a previous page' },
        ]);
      }
      afterLpId = position.lp;
    }
    const rows = await this.paths.list({ limit: query.limit + 1, afterLpId, includeRemoved: query.includeRemoved });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map(toView), nextCursor: rows.length > query.limit && last ? encodeCursor({ lp: last.lpId }) : null };
  }
}
