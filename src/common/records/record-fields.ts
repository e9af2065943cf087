import type { FieldError } from '../errors/domain-error';
import { mayWrite } from '../../fields/field-definition';
import type { KindDefinitions } from '../../fields/field-definitions.cache';
import { validateFieldValue } from '../../fields/value-validator';
import { applyMergePatch, jsonEquals, JsonObject } from './merge-patch';

/** PUT replaces the caller's writable fields; PATCH merges (RFC 7396, null removes). */
export type WriteMode = 'replace' | 'merge';

export interface NextFields {
  fields: JsonObject;
  errors: FieldError[];
}

/**
 * Computes a record's fields after a write and checks every value the write touches.
 * Values the caller cannot see or write (archived fields, fields of other roles) are kept as stored;
 * sending such a value unchanged is allowed, so GET-modify-PUT round trips work.
 * Defaults fill absent fields on create; `required` is checked on the result.
 */
export function computeNextFields(
  definitions: KindDefinitions,
  current: JsonObject | null,
  mode: WriteMode,
  input: JsonObject,
  role: string,
): NextFields {
  const errors: FieldError[] = [];
  const fail = (key: string, code: string, message: string): void => void errors.push({ field: `fields.${key}`, code, message });
  const touched = new Set(Object.keys(input));
  let next: JsonObject;

  if (mode === 'merge') {
    next = applyMergePatch(current ?? {}, input) as JsonObject;
  } else {
    next = {};
    for (const [key, value] of Object.entries(current ?? {})) {
      const definition = definitions.get(key);
      if (definition && definition.status === 'active' && mayWrite(definition, role)) touched.add(key);
      else next[key] = value;
    }
    for (const [key, value] of Object.entries(input)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
  }

  if (current === null) {
    for (const definition of definitions.active()) {
      if (next[definition.key] === undefined && definition.default !== undefined && definition.default !== null)
        next[definition.key] = definition.default;
    }
  }

  for (const key of [...touched].sort()) {
    const definition = definitions.get(key);
    if (!definition) {
      fail(key, 'unknown_field', 'is not a defined field');
      continue;
    }
    if (definition.status !== 'active') {
      fail(key, 'field_archived', 'is archived and cannot be written');
      continue;
    }
    const after = next[key];
    if (!mayWrite(definition, role)) {
      if (!jsonEquals(current?.[key], after)) fail(key, 'not_writable', `may not be written by the ${role} role`);
      continue;
    }
    if (after !== undefined) {
      const problem = validateFieldValue(definition, after);
      if (problem) fail(key, problem.code, problem.message);
    }
  }

  const failed = new Set(errors.map((e) => e.field));
  for (const definition of definitions.active()) {
    if (definition.required && next[definition.key] === undefined && !failed.has(`fields.${definition.key}`))
      fail(definition.key, 'required', 'is required');
  }
  errors.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return { fields: next, errors };
}
