import { Module } from '@nestjs/common';
import { OpignoModule } from '../opigno/opigno.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { TrainingsModule } from '../trainings/trainings.module';
import { CombinedReadsController } from './combined-reads.controller';
import { CombinedReadsService } from './combined-reads.service';

@Module({
  imports: [ProfilesModule, TrainingsModule, OpignoModule],
  controllers: [CombinedReadsController],
  providers: [CombinedReadsService],
})
export class CombinedReadsModule {}
