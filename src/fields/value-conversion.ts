import type { JsonValue } from '../common/records/merge-patch';
import type { FieldRules } from './field-definition';
import { isCalendarDate, validateFieldValue } from './value-validator';

export type ConversionResult = { ok: true; value: JsonValue; changed: boolean } | { ok: false; reason: string };

const INTEGER_TEXT = /^-?\d{1,16}$/;
const NUMBER_TEXT = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$/;

function toTargetType(value: JsonValue, rules: FieldRules): JsonValue | undefined {
  switch (rules.type) {
    case 'string':
    case 'text':
    case 'email':
    case 'url':
    case 'enum':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
      return undefined;
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return Number(value.trim());
      return undefined;
    case 'number':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value.trim());
      return undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1) return true;
      if (value === 'false' || value === 0) return false;
      return undefined;
    case 'date':
      return typeof value === 'string' ? value : undefined;
    case 'datetime':
      if (typeof value === 'string' && isCalendarDate(value)) return `${value}T00:00:00Z`;
      return typeof value === 'string' ? value : undefined;
    case 'multi_enum':
      if (Array.isArray(value)) return value;
      return typeof value === 'string' ? [value] : undefined;
    case 'json':
      return value;
  }
}

/**
 * Converts a stored value to a field's (possibly new) type and checks it against the new rules,
 * e.g. "42" → 42 when a string field becomes an integer. Lossy conversions are refused.
 */
export function convertValue(value: JsonValue, rules: FieldRules): ConversionResult {
  const converted = toTargetType(value, rules);
  if (converted === undefined) return { ok: false, reason: `cannot be converted to ${rules.type}` };
  const problem = validateFieldValue(rules, converted);
  if (problem) return { ok: false, reason: `${problem.code}: ${problem.message}` };
  return { ok: true, value: converted, changed: JSON.stringify(converted) !== JSON.stringify(value) };
}
