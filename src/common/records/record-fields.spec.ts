import { FieldDefinition } from '../../fields/field-definition';
import { KindDefinitions } from '../../fields/field-definitions.cache';
import type { StoredFieldDefinition } from '../../fields/field-definitions.repository';
import { computeNextFields } from './record-fields';

function field(key: string, overrides: Partial<FieldDefinition> = {}): StoredFieldDefinition {
  return {
    id: key,
    kind: 'profile',
    key,
    label: key,
    description: null,
    group: null,
    order: 0,
    type: 'string',
    pii: false,
    readRoles: ['admin', 'service'],
    writeRoles: ['admin', 'service'],
    searchable: false,
    status: 'active',
    version: 1,
    createdAt: '',
    updatedAt: '',
    ...overrides,
  };
}

const definitions = new KindDefinitions(1, [
  field('name', { required: true }),
  field('age', { type: 'integer', min: 0 }),
  field('team', { type: 'enum', options: ['a', 'b'], default: 'a' }),
  field('secret', { writeRoles: [] }),
  field('old', { status: 'archived' }),
  field('prefs', { type: 'json' }),
]);

describe('computeNextFields', () => {
  it('applies defaults on create and checks required on the result', () => {
    expect(computeNextFields(definitions, null, 'replace', { name: 'Ada' }, 'service')).toEqual({
      fields: { name: 'Ada', team: 'a' },
      errors: [],
    });
    const missing = computeNextFields(definitions, null, 'replace', {}, 'service');
    expect(missing.errors).toEqual([{ field: 'fields.name', code: 'required', message: 'is required' }]);
  });

  it('lists every offending field: unknown, archived, wrong type, constraint, not writable', () => {
    const { errors } = computeNextFields(
      definitions,
      null,
      'replace',
      { name: 'x', nope: 1, old: 'x', age: -1, team: 'z', secret: 's' },
      'service',
    );
    expect(errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'fields.age:below_min',
      'fields.nope:unknown_field',
      'fields.old:field_archived',
      'fields.secret:not_writable',
      'fields.team:not_an_option',
    ]);
  });

  it('merges with null removing a value and re-checks required', () => {
    const current = { name: 'Ada', age: 36, prefs: { theme: 'dark', lang: 'en' } };
    expect(computeNextFields(definitions, current, 'merge', { age: null, prefs: { lang: null } }, 'service').fields).toEqual({
      name: 'Ada',
      prefs: { theme: 'dark' },
    });
    expect(computeNextFields(definitions, current, 'merge', { name: null }, 'service').errors[0]).toMatchObject({
      field: 'fields.name',
      code: 'required',
    });
  });

  it('keeps archived and unwritable values on replace, and accepts them sent back unchanged', () => {
    const current = { name: 'Ada', age: 36, secret: 's', old: 'kept' };
    expect(computeNextFields(definitions, current, 'replace', { name: 'Bea' }, 'service')).toEqual({
      fields: { secret: 's', old: 'kept', name: 'Bea' },
      errors: [],
    });
    expect(computeNextFields(definitions, current, 'replace', { name: 'Bea', secret: 's' }, 'service').errors).toEqual([]);
    expect(computeNextFields(definitions, current, 'replace', { name: 'Bea', secret: 't' }, 'admin').errors).toEqual([]);
  });
});
