import type { FieldRules, FieldType } from './field-definition';

/** Why a value does not fit its field. Messages never quote the value (it may be personal data). */
export interface ValueProblem {
  code: string;
  message: string;
}

/** Upper bounds that keep index entries within database limits even without a maxLength. */
export const IMPLICIT_MAX_LENGTH: Partial<Record<FieldType, number>> = { string: 500, text: 65_535, email: 254, url: 2000 };
export const MAX_JSON_BYTES = 65_536;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const compiledPatterns = new Map<string, RegExp>();

export function compilePattern(pattern: string): RegExp {
  let regex = compiledPatterns.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    compiledPatterns.set(pattern, regex);
  }
  return regex;
}

export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  return match !== null && isValidDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function isZonedDateTime(value: string): boolean {
  const match = DATETIME_PATTERN.exec(value);
  if (!match) return false;
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  const zoneOk = match[7] === 'Z' || (Number(match[8]) <= 23 && Number(match[9]) <= 59);
  return isValidDay(Number(match[1]), Number(match[2]), Number(match[3])) && hour <= 23 && minute <= 59 && second <= 59 && zoneOk;
}

function isValidDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const problem = (code: string, message: string): ValueProblem => ({ code, message });

function checkType(type: FieldType, value: unknown): ValueProblem | null {
  switch (type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? null : problem('invalid_type', 'must be a string');
    case 'email':
      return typeof value === 'string' && EMAIL_PATTERN.test(value) ? null : problem('invalid_email', 'must be an email address');
    case 'url':
      return typeof value === 'string' && isHttpUrl(value) ? null : problem('invalid_url', 'must be an absolute http(s) URL');
    case 'integer':
      return Number.isSafeInteger(value) ? null : problem('invalid_type', 'must be an integer');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : problem('invalid_type', 'must be a number');
    case 'boolean':
      return typeof value === 'boolean' ? null : problem('invalid_type', 'must be true or false');
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? null : problem('invalid_date', 'must be a date (YYYY-MM-DD)');
    case 'datetime':
      return typeof value === 'string' && isZonedDateTime(value)
        ? null
        : problem('invalid_datetime', 'must be an ISO 8601 date-time with a zone (e.g. 2024-05-01T10:00:00Z)');
    case 'enum':
      return typeof value === 'string' ? null : problem('invalid_type', 'must be one of the options');
    case 'multi_enum':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? null
        : problem('invalid_type', 'must be an array of options');
    case 'json':
      return null;
  }
}

function checkConstraints(rules: FieldRules, value: unknown): ValueProblem | null {
  if (typeof value === 'string') {
    const length = [...value].length;
    const maxLength = Math.min(rules.maxLength ?? Infinity, IMPLICIT_MAX_LENGTH[rules.type] ?? Infinity);
    if (rules.minLength !== undefined && length < rules.minLength)
      return problem('too_short', `must have at least ${rules.minLength} characters`);
    if (length > maxLength) return problem('too_long', `must have at most ${maxLength} characters`);
    if (rules.pattern !== undefined && !compilePattern(rules.pattern).test(value))
      return problem('pattern_mismatch', `must match the pattern ${rules.pattern}`);
  }
  if (typeof value === 'number') {
    if (rules.min !== undefined && value < rules.min) return problem('below_min', `must be at least ${rules.min}`);
    if (rules.max !== undefined && value > rules.max) return problem('above_max', `must be at most ${rules.max}`);
  }
  if (rules.type === 'enum' && !(rules.options ?? []).includes(value as string)) {
    return problem('not_an_option', `must be one of: ${(rules.options ?? []).join(', ')}`);
  }
  if (rules.type === 'multi_enum') {
    const items = value as string[];
    if (items.some((item) => !(rules.options ?? []).includes(item)))
      return problem('not_an_option', `each item must be one of: ${(rules.options ?? []).join(', ')}`);
    if (new Set(items).size !== items.length) return problem('duplicate_option', 'must not repeat an option');
  }
  if (rules.type === 'json' && JSON.stringify(value).length > MAX_JSON_BYTES)
    return problem('too_large', `must serialize to at most ${MAX_JSON_BYTES} characters`);
  return null;
}

/** Checks one present (non-null) value against its field's type and constraints. Never changes the value. */
export function validateFieldValue(rules: FieldRules, value: unknown): ValueProblem | null {
  if (value === null || value === undefined) return problem('invalid_type', 'must not be null');
  return checkType(rules.type, value) ?? checkConstraints(rules, value);
}
