import type { FieldType } from '../../fields/field-definition';
import { isCalendarDate, isZonedDateTime } from '../../fields/value-validator';
import type { JsonValue } from './merge-patch';

/** One row of the search index: numbers compare numerically, everything else as text in code-point order. */
export interface IndexEntry {
  text: string | null;
  num: number | null;
}

export type IndexColumn = 'value_text' | 'value_num';

export function indexColumnOf(type: FieldType): IndexColumn {
  return type === 'integer' || type === 'number' ? 'value_num' : 'value_text';
}

/** The index rows for a stored value (a multi_enum gives one per option; datetimes are normalized to UTC so they sort). */
export function indexEntriesOf(type: FieldType, value: JsonValue): IndexEntry[] {
  switch (type) {
    case 'integer':
    case 'number':
      return [{ text: null, num: value as number }];
    case 'boolean':
      return [{ text: String(value), num: null }];
    case 'datetime':
      return [{ text: new Date(value as string).toISOString(), num: null }];
    case 'multi_enum':
      return (value as string[]).map((item) => ({ text: item, num: null }));
    case 'string':
    case 'text':
    case 'email':
    case 'url':
    case 'enum':
    case 'date':
    case 'json':
      return [{ text: String(value), num: null }];
  }
}

/** Turns a filter value from a query string into what the index holds, or null when it cannot be one. */
export function indexValueOfFilter(type: FieldType, raw: string): string | number | null {
  switch (type) {
    case 'integer':
    case 'number': {
      const number = raw.trim() === '' ? Number.NaN : Number(raw);
      return Number.isFinite(number) && (type === 'number' || Number.isSafeInteger(number)) ? number : null;
    }
    case 'boolean':
      return raw === 'true' || raw === 'false' ? raw : null;
    case 'date':
      return isCalendarDate(raw) ? raw : null;
    case 'datetime':
      return isZonedDateTime(raw) ? new Date(raw).toISOString() : null;
    case 'string':
    case 'text':
    case 'email':
    case 'url':
    case 'enum':
    case 'multi_enum':
    case 'json':
      return raw;
  }
}

/** The smallest string greater than every string that starts with `prefix` (code-point order), for index range scans. */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (codePoints.length > 0) {
    let last = codePoints.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...codePoints, last);
  }
  return null;
}
