import { Module } from '@nestjs/common';
import { ExtendedRecordsModule } from '../common/records/extended-records.module';
import { ProfilesController } from './profiles.controller';
import { ProfilesService } from './profiles.service';

@Module({
  imports: [ExtendedRecordsModule],
  controllers: [ProfilesController],
  providers: [ProfilesService],
  exports: [ProfilesService],
})
export class ProfilesModule {}
