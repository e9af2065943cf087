import { indexEntriesOf, indexValueOfFilter, prefixUpperBound } from './search-index-values';

describe('search index values', () => {
  it('indexes numbers numerically and multi_enum once per option', () => {
    expect(indexEntriesOf('integer', 42)).toEqual([{ text: null, num: 42 }]);
    expect(indexEntriesOf('multi_enum', ['a', 'b'])).toEqual([
      { text: 'a', num: null },
      { text: 'b', num: null },
    ]);
    expect(indexEntriesOf('boolean', false)).toEqual([{ text: 'false', num: null }]);
  });

  it('normalizes datetimes to UTC so they sort across zones', () => {
    expect(indexEntriesOf('datetime', '2024-05-01T12:00:00+02:00')).toEqual([{ text: '2024-05-01T10:00:00.000Z', num: null }]);
    expect(indexValueOfFilter('datetime', '2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00.000Z');
  });

  it('refuses filter values of the wrong type', () => {
    expect(indexValueOfFilter('integer', 'x')).toBeNull();
    expect(indexValueOfFilter('integer', '')).toBeNull();
    expect(indexValueOfFilter('integer', '1.5')).toBeNull();
    expect(indexValueOfFilter('number', '1.5')).toBe(1.5);
    expect(indexValueOfFilter('boolean', 'yes')).toBeNull();
    expect(indexValueOfFilter('date', '2024-02-30')).toBeNull();
  });

  it('computes the upper bound of a prefix range', () => {
    expect(prefixUpperBound('ab')).toBe('ac');
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\ud7ff')).toBe('\ue000');
    expect(prefixUpperBound('')).toBeNull();
    const upper = prefixUpperBound('Zü')!;
    expect('Zürich' < upper && 'Zürich' >= 'Zü').toBe(true);
  });
});
