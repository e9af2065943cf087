import { Module } from '@nestjs/common';
import { ExtendedRecordsModule } from '../common/records/extended-records.module';
import { RecordStorageModule } from '../common/records/record-storage.module';
import { OpignoModule } from '../opigno/opigno.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { TrainingsModule } from '../trainings/trainings.module';
import { IdentifyService } from './identify.service';
import { IdentityController } from './identity.controller';
import { IdentityLinksRepository } from './identity-links.repository';
import { KnownUsersRepository } from './known-users.repository';
import { PendingUpstreamActionsRepository } from './pending-upstream-actions.repository';
import { PrivacyService } from './privacy.service';
import { UserContextLinksRepository } from './user-context-links.repository';
import { UserContextsController } from './user-contexts.controller';
import { UserContextsService } from './user-contexts.service';

@Module({
  imports: [ExtendedRecordsModule, RecordStorageModule, OpignoModule, ProfilesModule, TrainingsModule],
  controllers: [UserContextsController, IdentityController],
  providers: [
    UserContextsService,
    UserContextLinksRepository,
    IdentifyService,
    IdentityLinksRepository,
    PendingUpstreamActionsRepository,
    PrivacyService,
    KnownUsersRepository,
  ],
  exports: [UserContextsService, UserContextLinksRepository, PendingUpstreamActionsRepository, KnownUsersRepository],
})
export class IdentityModule {}
