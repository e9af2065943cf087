import type { RecordKindSpec } from '../common/records/record-kind';

/** Opigno learning-path ids are opaque strings; the same strict charset as user ids. */
export const LP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export const TRAINING_KIND: RecordKindSpec = {
  kind: 'training',
  table: 'trainings',
  idColumn: 'lp_id',
  idProperty: 'lpId',
  idPattern: LP_ID_PATTERN,
  invalidIdCode: 'invalid_lp_id',
  notFoundCode: 'training_not_found',
  noun: 'training',
};

/** Enrolment values live on the per-user training record, whose id is "<uuid>/<lpId>". */
export const ENROLMENT_KIND: RecordKindSpec = {
  kind: 'enrolment',
  table: 'training_records',
  idColumn: 'id',
  idProperty: 'id',
  idPattern: /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\/[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/,
  invalidIdCode: 'invalid_training_record_id',
  notFoundCode: 'training_record_not_found',
  noun: 'training record',
};

export function trainingRecordId(uuid: string, lpId: string): string {
  return `${uuid}/${lpId}`;
}
