import type { RecordKindSpec } from '../common/records/record-kind';

/** Opigno user UUIDs are opaque: anonymous ids such as `anon-…` are allowed. */
export const PROFILE_UUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export const PROFILE_KIND: RecordKindSpec = {
  kind: 'profile',
  table: 'profiles',
  idColumn: 'uuid',
  idProperty: 'uuid',
  idPattern: PROFILE_UUID_PATTERN,
  invalidIdCode: 'invalid_uuid',
  notFoundCode: 'profile_not_found',
  noun: 'profile',
};
