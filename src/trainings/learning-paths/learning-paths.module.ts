import { Module } from '@nestjs/common';
import { OpignoModule } from '../../opigno/opigno.module';
import { SyncCoreModule } from '../../sync/sync-core.module';
import { LearningPathsController } from './learning-paths.controller';
import { LearningPathsRepository } from './learning-paths.repository';
import { LearningPathsService } from './learning-paths.service';
import { TrainingsSyncJob } from './trainings-sync.job';

/** The synced learning-path catalogue: its `trainings` sync job and read API. */
@Module({
  imports: [OpignoModule, SyncCoreModule],
  controllers: [LearningPathsController],
  providers: [LearningPathsRepository, LearningPathsService, TrainingsSyncJob],
  exports: [LearningPathsRepository, LearningPathsService],
})
export class LearningPathsModule {}
