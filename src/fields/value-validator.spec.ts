import type { FieldRules } from './field-definition';
import { validateFieldValue } from './value-validator';

const codeOf = (rules: FieldRules, value: unknown): string | null => validateFieldValue(rules, value)?.code ?? null;

describe('validateFieldValue', () => {
  describe.each<[FieldRules['type'], unknown[], unknown[]]>([
    ['string', ['', 'Zoë 🚀', 'x'.repeat(500)], [1, true, null, ['a'], 'x'.repeat(501)]],
    ['text', ['', 'line 1\nline 2', 'x'.repeat(10_000)], [1, {}, false]],
    ['integer', [0, -7, 9007199254740991], [1.5, '42', Number.NaN, 9007199254740992, true]],
    ['number', [0, -1.25, 1e300], ['1', Number.POSITIVE_INFINITY, Number.NaN, null]],
    ['boolean', [true, false], ['true', 0, 1]],
    ['date', ['2024-02-29', '1900-01-01', '0001-01-01'], ['2023-02-29', '2024-13-01', '2024-1-1', '2024-01-01T00:00:00Z', 20240101]],
    [
      'datetime',
      ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123+02:00', '2024-05-01T10:00-05:30'],
      ['2024-05-01T10:00:00', '2024-05-01', '2024-05-01T25:00:00Z', '2024-02-30T10:00:00Z'],
    ],
    ['email', ['ada@example.org', 'a.b+c@sub.example.co'], ['ada', 'ada@', 'a b@example.org', 5]],
    ['url', ['https://example.org/path?q=1', 'http://localhost.test:8080'], ['ftp://example.org', 'example.org', 'javascript:alert(1)']],
    ['json', [{ a: [1, { b: null }] }, [1, 2], 'text', 0, false], [{ big: 'x'.repeat(70_000) }]],
  ])('type %s', (type, valid, invalid) => {
    it.each(valid.map((v) => [v]))('accepts %p', (value) => {
      expect(codeOf({ type }, value)).toBeNull();
    });
    it.each(invalid.map((v) => [v]))('refuses %p', (value) => {
      expect(codeOf({ type }, value)).not.toBeNull();
    });
  });

  it('applies length constraints by characters, not UTF-16 units', () => {
    const rules: FieldRules = { type: 'string', minLength: 2, maxLength: 3 };
    expect(codeOf(rules, 'a')).toBe('too_short');
    expect(codeOf(rules, '🚀🚀🚀')).toBeNull();
    expect(codeOf(rules, 'abcd')).toBe('too_long');
  });

  it('applies min and max to numbers', () => {
    const rules: FieldRules = { type: 'integer', min: 0, max: 130 };
    expect(codeOf(rules, -1)).toBe('below_min');
    expect(codeOf(rules, 131)).toBe('above_max');
    expect(codeOf(rules, 130)).toBeNull();
  });

  it('applies a pattern', () => {
    const rules: FieldRules = { type: 'string', pattern: '^[A-Z]{2}-\\d+$' };
    expect(codeOf(rules, 'FR-12')).toBeNull();
    expect(codeOf(rules, 'fr-12')).toBe('pattern_mismatch');
  });

  it('checks enum and multi_enum options', () => {
    expect(codeOf({ type: 'enum', options: ['a', 'b'] }, 'a')).toBeNull();
    expect(codeOf({ type: 'enum', options: ['a', 'b'] }, 'c')).toBe('not_an_option');
    expect(codeOf({ type: 'multi_enum', options: ['a', 'b'] }, ['a', 'b'])).toBeNull();
    expect(codeOf({ type: 'multi_enum', options: ['a', 'b'] }, [])).toBeNull();
    expect(codeOf({ type: 'multi_enum', options: ['a', 'b'] }, ['a', 'c'])).toBe('not_an_option');
    expect(codeOf({ type: 'multi_enum', options: ['a', 'b'] }, ['a', 'a'])).toBe('duplicate_option');
    expect(codeOf({ type: 'multi_enum', options: ['a'] }, 'a')).toBe('invalid_type');
  });

  it('never quotes the value in its message', () => {
    const problem = validateFieldValue({ type: 'enum', options: ['x'] }, 'secret-value');
    expect(problem?.message).not.toContain('secret-value');
  });
});
