import { Foundation1764000000000 } from './1764000000000-foundation';
import { OpignoConnection1764000001000 } from './1764000001000-opigno-connection';
import { FieldsProfiles1764000002000 } from './1764000002000-fields-profiles';
import { Identity1764000003000 } from './1764000003000-identity';
import { Trainings1764000005000 } from './1764000005000-trainings';
import { Sync1764000004000 } from './1764000004000-sync';
import { RecordIdTimes1764000006000 } from './1764000006000-record-id-times';
import { SearchIndexCreationOrder1764000007000 } from './1764000007000-search-index-creation-order';

/** Every migration, in order. Add new ones at the end. */
export const allMigrations = [
  Foundation1764000000000,
  OpignoConnection1764000001000,
  FieldsProfiles1764000002000,
  Identity1764000003000,
  Sync1764000004000,
  Trainings1764000005000,
  RecordIdTimes1764000006000,
  SearchIndexCreationOrder1764000007000,
];
