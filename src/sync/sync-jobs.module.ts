import { Module } from '@nestjs/common';
import { LearningPathsModule } from '../trainings/learning-paths/learning-paths.module';
import { UserSyncJobsModule } from './jobs/user-sync-jobs.module';

/** Every module that registers a sync job. Add yours here: the app and the CLI both load this list. */
export const SYNC_JOB_MODULES = [LearningPathsModule, UserSyncJobsModule];

@Module({ imports: SYNC_JOB_MODULES })
export class SyncJobsModule {}
