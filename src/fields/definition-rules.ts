import type { FieldError } from '../common/errors/domain-error';
import type { FieldRules, FieldType } from './field-definition';
import { IMPLICIT_MAX_LENGTH, validateFieldValue } from './value-validator';

export const MAX_PATTERN_LENGTH = 200;
export const MAX_OPTIONS = 500;
export const MAX_OPTION_LENGTH = 200;

const LENGTH_TYPES: FieldType[] = ['string', 'text', 'email', 'url'];
const RANGE_TYPES: FieldType[] = ['integer', 'number'];
const PATTERN_TYPES: FieldType[] = ['string', 'text'];
const OPTION_TYPES: FieldType[] = ['enum', 'multi_enum'];
/** Types whose values can be compared for equality in the search index. */
export const UNIQUE_TYPES: FieldType[] = ['string', 'integer', 'number', 'date', 'datetime', 'email', 'url', 'enum'];
/** text and json are too large or too shapeless to index. */
export const SEARCHABLE_TYPES: FieldType[] = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'email',
  'url',
  'enum',
  'multi_enum',
];

// Nested quantifiers such as (a+)+ or (a|a)* backtrack exponentially on crafted input.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;
const BACK_REFERENCE = /\\[1-9]|\\k</;

export interface DefinitionShape extends FieldRules {
  searchable: boolean;
}

/** Checks that a definition is coherent: constraints fit the type, ranges are ordered, the pattern is safe, the default is a valid value. */
export function checkDefinitionRules(definition: DefinitionShape): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string, message: string): void => void errors.push({ field, code, message });
  const { type } = definition;
  const notFor = (name: keyof DefinitionShape, allowed: FieldType[]): void => {
    if (definition[name] !== undefined && definition[name] !== false && !allowed.includes(type)) {
      fail(name, 'constraint_not_applicable', `${name} does not apply to type ${type}`);
    }
  };

  notFor('minLength', LENGTH_TYPES);
  notFor('maxLength', LENGTH_TYPES);
  notFor('min', RANGE_TYPES);
  notFor('max', RANGE_TYPES);
  notFor('pattern', PATTERN_TYPES);
  notFor('options', OPTION_TYPES);
  notFor('unique', UNIQUE_TYPES);
  notFor('searchable', SEARCHABLE_TYPES);

  if (definition.minLength !== undefined && definition.maxLength !== undefined && definition.minLength > definition.maxLength) {
    fail('minLength', 'invalid_range', 'minLength must not exceed maxLength');
  }
  const implicitMax = IMPLICIT_MAX_LENGTH[type];
  if (implicitMax !== undefined && definition.maxLength !== undefined && definition.maxLength > implicitMax) {
    fail('maxLength', 'invalid_range', `maxLength must not exceed ${implicitMax} for type ${type}`);
  }
  if (definition.min !== undefined && definition.max !== undefined && definition.min > definition.max) {
    fail('min', 'invalid_range', 'min must not exceed max');
  }
  if (type === 'integer') {
    for (const name of ['min', 'max'] as const) {
      if (definition[name] !== undefined && !Number.isSafeInteger(definition[name]))
        fail(name, 'invalid_type', `${name} must be an integer for type integer`);
    }
  }

  if (OPTION_TYPES.includes(type)) {
    const options = definition.options;
    if (!options || options.length === 0) fail('options', 'options_required', `type ${type} needs a non-empty options list`);
    else if (new Set(options).size !== options.length) fail('options', 'duplicate_option', 'options must be distinct');
    else if (options.length > MAX_OPTIONS || options.some((o) => o.length === 0 || o.length > MAX_OPTION_LENGTH)) {
      fail('options', 'invalid_options', `at most ${MAX_OPTIONS} options of 1 to ${MAX_OPTION_LENGTH} characters`);
    }
  }

  if (definition.pattern !== undefined) {
    const patternProblem = patternProblemOf(definition.pattern);
    if (patternProblem) fail('pattern', 'invalid_pattern', patternProblem);
  }

  if (definition.default !== undefined && definition.default !== null && errors.length === 0) {
    const problem = validateFieldValue(definition, definition.default);
    if (problem) fail('default', 'invalid_default', `default ${problem.message}`);
    if (definition.unique) fail('default', 'constraint_not_applicable', 'a unique field cannot have a default');
  }
  return errors;
}

function patternProblemOf(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) return `must be 1 to ${MAX_PATTERN_LENGTH} characters`;
  if (NESTED_QUANTIFIER.test(pattern) || BACK_REFERENCE.test(pattern))
    return 'nested quantifiers and back-references are not allowed (catastrophic backtracking)';
  try {
    new RegExp(pattern, 'u');
    return null;
  } catch {
    return 'is not a valid regular expression';
  }
}
