import { BadRequestError } from '../errors/domain-error';
import { parseListQuery } from './list-query';

const codeOf = (query: string): string | undefined => {
  try {
    parseListQuery(query);
    return undefined;
  } catch (error) {
    return (error as BadRequestError).code;
  }
};

describe('parseListQuery', () => {
  it('defaults to createdAt ascending, 50 per page', () => {
    expect(parseListQuery('')).toEqual({ filters: [], sort: { key: 'createdAt', descending: false }, limit: 50 });
  });

  it('reads equality and operator filters, in lists, sort, limit and cursor', () => {
    const query = parseListQuery(
      'filter[country]=FR&filter[age][gte]=18&filter[age][lt]=65&filter[team][in]=a,b%2Cc&sort=-age&limit=10&cursor=abc',
    );
    expect(query.filters).toEqual([
      { key: 'country', operator: 'eq', values: ['FR'] },
      { key: 'age', operator: 'gte', values: ['18'] },
      { key: 'age', operator: 'lt', values: ['65'] },
      { key: 'team', operator: 'in', values: ['a', 'b', 'c'] },
    ]);
    expect(query.sort).toEqual({ key: 'age', descending: true });
    expect(query.limit).toBe(10);
    expect(query.cursor).toBe('abc');
  });

  it('decodes percent-encoded brackets and unicode values', () => {
    const query = parseListQuery('filter%5Bcity%5D%5Bprefix%5D=Z%C3%BCr');
    expect(query.filters).toEqual([{ key: 'city', operator: 'prefix', values: ['Zür'] }]);
  });

  it('keeps empty strings as values for eq', () => {
    expect(parseListQuery('filter[nick]=').filters).toEqual([{ key: 'nick', operator: 'eq', values: [''] }]);
  });

  it.each([
    ['filter[age][between]=1', 'invalid_filter_operator'],
    ['filter[team][in]=a,,b', 'invalid_filter_value'],
    ['page=2', 'unknown_parameter'],
    ['filter[a][b][c]=1', 'unknown_parameter'],
    ['sort=a&sort=b', 'duplicate_parameter'],
    ['sort=--x', 'invalid_sort'],
    ['limit=500', 'invalid_limit'],
  ])('refuses %s with %s', (query, code) => {
    expect(codeOf(query)).toBe(code);
  });
});
