import { Injectable } from '@nestjs/common';
import { ExtendedRecordsFactory } from '../common/records/extended-records.service';
import { KeyedRecordsService, KeyedView } from '../common/records/keyed-records.service';
import { PROFILE_KIND } from './profile-kind';

export type ProfileView = KeyedView<'uuid'>;

/** Extended profiles: the generic extended-record behaviour, keyed by Opigno user UUID. */
@Injectable()
export class ProfilesService extends KeyedRecordsService<'uuid'> {
  constructor(factory: ExtendedRecordsFactory) {
    super(factory.forKind(PROFILE_KIND), 'uuid');
  }
}
