import { checkDefinitionRules, DefinitionShape } from './definition-rules';

const codes = (definition: DefinitionShape): string[] => checkDefinitionRules(definition).map((e) => `${e.field}:${e.code}`);

describe('checkDefinitionRules', () => {
  it('accepts coherent definitions', () => {
    expect(codes({ type: 'string', searchable: true, minLength: 1, maxLength: 40, pattern: '^[a-z]+$', default: 'abc' })).toEqual([]);
    expect(codes({ type: 'integer', searchable: true, min: 0, max: 10, unique: true })).toEqual([]);
    expect(codes({ type: 'multi_enum', searchable: true, options: ['a', 'b'], default: ['a'] })).toEqual([]);
  });

  it('needs options for enum types', () => {
    expect(codes({ type: 'enum', searchable: false })).toEqual(['options:options_required']);
    expect(codes({ type: 'multi_enum', searchable: false, options: [] })).toEqual(['options:options_required']);
    expect(codes({ type: 'enum', searchable: false, options: ['a', 'a'] })).toEqual(['options:duplicate_option']);
  });

  it('orders ranges', () => {
    expect(codes({ type: 'integer', searchable: false, min: 5, max: 1 })).toEqual(['min:invalid_range']);
    expect(codes({ type: 'string', searchable: false, minLength: 5, maxLength: 1 })).toEqual(['minLength:invalid_range']);
    expect(codes({ type: 'string', searchable: false, maxLength: 501 })).toEqual(['maxLength:invalid_range']);
    expect(codes({ type: 'integer', searchable: false, min: 0.5 })).toEqual(['min:invalid_type']);
  });

  it('refuses constraints that do not apply to the type', () => {
    expect(codes({ type: 'boolean', searchable: false, min: 1 })).toEqual(['min:constraint_not_applicable']);
    expect(codes({ type: 'integer', searchable: false, options: ['a'] })).toEqual(['options:constraint_not_applicable']);
    expect(codes({ type: 'json', searchable: true })).toEqual(['searchable:constraint_not_applicable']);
    expect(codes({ type: 'boolean', searchable: false, unique: true })).toEqual(['unique:constraint_not_applicable']);
  });

  it('refuses patterns that do not compile, are too long or backtrack catastrophically', () => {
    expect(codes({ type: 'string', searchable: false, pattern: '([a-z' })).toEqual(['pattern:invalid_pattern']);
    expect(codes({ type: 'string', searchable: false, pattern: 'a'.repeat(201) })).toEqual(['pattern:invalid_pattern']);
    expect(codes({ type: 'string', searchable: false, pattern: '^(a+)+$' })).toEqual(['pattern:invalid_pattern']);
    expect(codes({ type: 'string', searchable: false, pattern: '(x)\\1' })).toEqual(['pattern:invalid_pattern']);
  });

  it('needs a default that is valid for the type and constraints', () => {
    expect(codes({ type: 'integer', searchable: false, default: 'x' })).toEqual(['default:invalid_default']);
    expect(codes({ type: 'integer', searchable: false, max: 3, default: 4 })).toEqual(['default:invalid_default']);
    expect(codes({ type: 'enum', searchable: false, options: ['a'], default: 'b' })).toEqual(['default:invalid_default']);
  });
});
