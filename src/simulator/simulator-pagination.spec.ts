import { InvalidCursorError, compareIds, decodeCursor, encodeCursor, paginate } from './simulator-pagination';

const items = Array.from({ length: 10 }, (_, i) => String(i + 1));
const options = { kind: 't', keyOf: (id: string) => id, compare: compareIds, limits: { defaultSize: 4, maxSize: 6 } };

describe('compareIds', () => {
  it('orders digit strings numerically and before other ids', () => {
    expect(['10', 'b', '9', 'a', '010', '2'].sort(compareIds)).toEqual(['2', '9', '10', '010', 'a', 'b']);
  });
});

describe('paginate', () => {
  it('uses the default page size and reports the next page', () => {
    const page = paginate(items, {}, options);
    expect(page.edges.map((e) => e.node)).toEqual(['1', '2', '3', '4']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page.totalItems).toBe(10);
  });

  it('continues after a cursor and caps first at the maximum', () => {
    const after = encodeCursor('t', '3');
    const page = paginate(items, { first: 100, after }, options);
    expect(page.edges.map((e) => e.node)).toEqual(['4', '5', '6', '7', '8', '9']);
    expect(page.pageInfo.hasPreviousPage).toBe(true);
  });

  it('keeps its place when the cursor item was removed', () => {
    const without3 = items.filter((id) => id !== '3');
    const page = paginate(without3, { first: 2, after: encodeCursor('t', '3') }, options);
    expect(page.edges.map((e) => e.node)).toEqual(['4', '5']);
  });

  it('takes the last items before a cursor', () => {
    const page = paginate(items, { last: 2, before: encodeCursor('t', '5') }, options);
    expect(page.edges.map((e) => e.node)).toEqual(['3', '4']);
  });

  it('rejects a cursor of another connection and a negative size', () => {
    expect(() => decodeCursor('t', encodeCursor('other', '1'))).toThrow(InvalidCursorError);
    expect(() => paginate(items, { first: -1 }, options)).toThrow(RangeError);
  });
});
