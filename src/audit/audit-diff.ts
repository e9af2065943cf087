import { jsonEquals, JsonObject, JsonValue } from '../common/records/merge-patch';

export interface ValueChange {
  old?: JsonValue;
  new?: JsonValue;
}

export interface FieldsDiff {
  /** Every key whose value was added, changed or removed (pii keys included). */
  changedFields: string[];
  /** Old and new values per changed key, without personal data. */
  changes: Record<string, ValueChange>;
}

/** What changed between two versions of a record's fields; values of pii fields are left out. */
export function diffFields(before: JsonObject | null, after: JsonObject | null, isPii: (key: string) => boolean): FieldsDiff {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const diff: FieldsDiff = { changedFields: [], changes: {} };
  for (const key of [...keys].sort()) {
    const oldValue = before?.[key];
    const newValue = after?.[key];
    if (jsonEquals(oldValue, newValue)) continue;
    diff.changedFields.push(key);
    if (isPii(key)) continue;
    const change: ValueChange = {};
    if (oldValue !== undefined) change.old = oldValue;
    if (newValue !== undefined) change.new = newValue;
    diff.changes[key] = change;
  }
  return diff;
}
