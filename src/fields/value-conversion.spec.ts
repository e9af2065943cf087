import { convertValue } from './value-conversion';

describe('convertValue', () => {
  it('converts numeric strings to integers and numbers', () => {
    expect(convertValue('42', { type: 'integer' })).toEqual({ ok: true, value: 42, changed: true });
    expect(convertValue(' -7 ', { type: 'integer' })).toEqual({ ok: true, value: -7, changed: true });
    expect(convertValue('1.5', { type: 'number' })).toEqual({ ok: true, value: 1.5, changed: true });
    expect(convertValue(3, { type: 'number' })).toEqual({ ok: true, value: 3, changed: false });
  });

  it('refuses lossy or meaningless conversions', () => {
    expect(convertValue('4.2', { type: 'integer' }).ok).toBe(false);
    expect(convertValue(4.2, { type: 'integer' }).ok).toBe(false);
    expect(convertValue('forty', { type: 'integer' }).ok).toBe(false);
    expect(convertValue({ a: 1 }, { type: 'string' }).ok).toBe(false);
    expect(convertValue('yes', { type: 'boolean' }).ok).toBe(false);
  });

  it('converts to strings, booleans, multi_enum and datetime', () => {
    expect(convertValue(42, { type: 'string' })).toEqual({ ok: true, value: '42', changed: true });
    expect(convertValue('true', { type: 'boolean' })).toEqual({ ok: true, value: true, changed: true });
    expect(convertValue(0, { type: 'boolean' })).toEqual({ ok: true, value: false, changed: true });
    expect(convertValue('a', { type: 'multi_enum', options: ['a'] })).toEqual({ ok: true, value: ['a'], changed: true });
    expect(convertValue('2024-01-02', { type: 'datetime' })).toEqual({ ok: true, value: '2024-01-02T00:00:00Z', changed: true });
  });

  it('checks the converted value against the new constraints', () => {
    const result = convertValue('200', { type: 'integer', max: 150 });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain('above_max');
    expect(convertValue('c', { type: 'enum', options: ['a', 'b'] }).ok).toBe(false);
    expect(convertValue('abc', { type: 'string', maxLength: 2 }).ok).toBe(false);
  });
});
