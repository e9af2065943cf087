import type { FieldKind } from '../../fields/field-definition';
import type { JsonObject } from './merge-patch';

/** How one kind of extended record is stored and named. A new kind is one of these plus a table. */
export interface RecordKindSpec {
  kind: FieldKind;
  /** Table with columns <idColumn>, fields (JSON text), version, created_at, updated_at. */
  table: string;
  idColumn: string;
  /** Name of the id in API documents and NDJSON lines, e.g. 'uuid'. */
  idProperty: string;
  idPattern: RegExp;
  /** problem+json code for a malformed id, e.g. 'invalid_uuid'. */
  invalidIdCode: string;
  /** problem+json code for a missing record, e.g. 'profile_not_found'. */
  notFoundCode: string;
  /** Singular noun for messages and audit entity type, e.g. 'profile'. */
  noun: string;
}

/** A record as stored: every value, including archived and unreadable fields. */
export interface StoredRecord {
  id: string;
  fields: JsonObject;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A record as a caller sees it: only the fields their role may read. */
export type RecordView = StoredRecord;
