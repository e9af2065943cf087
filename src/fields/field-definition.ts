import type { JsonValue } from '../common/records/merge-patch';

/** Which kind of extended record a field belongs to. */
export const FIELD_KINDS = ['profile', 'training', 'enrolment'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const FIELD_TYPES = [
  'string',
  'text',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'email',
  'url',
  'enum',
  'multi_enum',
  'json',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Roles a field's permissions can name (admin may always read and write). */
export const FIELD_ROLES = ['admin', 'service'] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

export const FIELD_STATUSES = ['active', 'archived'] as const;
export type FieldStatus = (typeof FIELD_STATUSES)[number];

export const FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** The rules a value is checked against. */
export interface FieldConstraints {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
  options?: string[];
  unique?: boolean;
  default?: JsonValue;
}

export const CONSTRAINT_NAMES = [
  'required',
  'minLength',
  'maxLength',
  'min',
  'max',
  'pattern',
  'options',
  'unique',
  'default',
] as const satisfies ReadonlyArray<keyof FieldConstraints>;

export interface FieldRules extends FieldConstraints {
  type: FieldType;
}

/** An admin-defined custom field, as the API shows it. */
export interface FieldDefinition extends FieldRules {
  kind: FieldKind;
  key: string;
  label: string;
  description: string | null;
  group: string | null;
  order: number;
  pii: boolean;
  readRoles: FieldRole[];
  writeRoles: FieldRole[];
  searchable: boolean;
  status: FieldStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function isFieldKind(value: string): value is FieldKind {
  return (FIELD_KINDS as readonly string[]).includes(value);
}

export function mayRead(definition: FieldDefinition, role: string): boolean {
  return role === 'admin' || (definition.readRoles as string[]).includes(role);
}

export function mayWrite(definition: FieldDefinition, role: string): boolean {
  return role === 'admin' || (definition.writeRoles as string[]).includes(role);
}

/** Values of these fields go to the search index: searchable ones for filters, unique ones for the uniqueness check. */
export function isIndexed(definition: Pick<FieldDefinition, 'searchable' | 'unique'>): boolean {
  return definition.searchable || definition.unique === true;
}

export function constraintsOf(rules: FieldRules): FieldConstraints {
  const constraints: FieldConstraints = {};
  for (const name of CONSTRAINT_NAMES) {
    if (rules[name] !== undefined) (constraints as Record<string, unknown>)[name] = rules[name];
  }
  return constraints;
}
