import { Module } from '@nestjs/common';
import { ExtendedRecordsModule } from '../common/records/extended-records.module';
import { RecordStorageModule } from '../common/records/record-storage.module';
import { OpignoModule } from '../opigno/opigno.module';
import { TrainingRecordsController } from './training-records.controller';
import { TrainingRecordsRepository } from './training-records.repository';
import { TrainingRecordsService } from './training-records.service';
import { TrainingsController } from './trainings.controller';
import { TrainingsService } from './trainings.service';

@Module({
  imports: [ExtendedRecordsModule, RecordStorageModule, OpignoModule],
  controllers: [TrainingsController, TrainingRecordsController],
  providers: [TrainingsService, TrainingRecordsService, TrainingRecordsRepository],
  exports: [TrainingsService, TrainingRecordsService, TrainingRecordsRepository],
})
export class TrainingsModule {}
