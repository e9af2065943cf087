import { Injectable } from '@nestjs/common';
import { ExtendedRecordsFactory } from '../common/records/extended-records.service';
import { KeyedRecordsService, KeyedView } from '../common/records/keyed-records.service';
import { TRAINING_KIND } from './training-kinds';

export type TrainingView = KeyedView<'lpId'>;

/** Extended trainings: admin-defined `training` fields per Opigno learning path. */
@Injectable()
export class TrainingsService extends KeyedRecordsService<'lpId'> {
  constructor(factory: ExtendedRecordsFactory) {
    super(factory.forKind(TRAINING_KIND), 'lpId');
  }
}
