/** Relay-style pagination over an already ordered list, with opaque key-based cursors. */

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalItems: number;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`Invalid cursor: ${cursor}`);
    this.name = 'InvalidCursorError';
  }
}

const DIGITS = /^\d+$/;

/** Orders ids numerically when both are digit strings (without Number overflow), else by code unit. */
export function compareIds(a: string, b: string): number {
  const aNumeric = DIGITS.test(a);
  const bNumeric = DIGITS.test(b);
  if (aNumeric && bNumeric) {
    const a2 = a.replace(/^0+(?=\d)/, '');
    const b2 = b.replace(/^0+(?=\d)/, '');
    if (a2.length !== b2.length) return a2.length - b2.length;
    return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
  }
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64');
}

export function decodeCursor(kind: string, cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const prefix = `${kind}:`;
  if (!decoded.startsWith(prefix) || decoded.length === prefix.length) throw new InvalidCursorError(cursor);
  return decoded.slice(prefix.length);
}

function checkSize(name: string, value: number | null | undefined, limits: PageLimits): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`"${name}" must be a non-negative integer`);
  return Math.min(value, limits.maxSize);
}

/** Index of the first element whose key sorts strictly after `key` (items sorted by `compare`). */
function upperBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string, compare: (a: string, b: string) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(keyOf(items[mid]), key) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Index of the first element whose key sorts at or after `key`. */
function lowerBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string, compare: (a: string, b: string) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(keyOf(items[mid]), key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Cursors name the item's key rather than its position, so pages stay stable while items are
 * added or removed between requests (as with a real database-backed connection).
 */
export function paginate<T>(
  items: readonly T[],
  args: PageArgs,
  options: { kind: string; keyOf: (item: T) => string; compare: (a: string, b: string) => number; limits: PageLimits },
): Page<T> {
  const { kind, keyOf, compare, limits } = options;
  const first = checkSize('first', args.first, limits);
  const last = checkSize('last', args.last, limits);
  let start = 0;
  let end = items.length;
  if (args.after) start = upperBound(items, decodeCursor(kind, args.after), keyOf, compare);
  if (args.before) end = Math.max(start, lowerBound(items, decodeCursor(kind, args.before), keyOf, compare));
  if (first !== undefined) end = Math.min(end, start + first);
  else if (last === undefined) end = Math.min(end, start + limits.defaultSize);
  if (last !== undefined) start = Math.max(start, end - last);
  const edges = items.slice(start, end).map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges.length > 0 ? edges[0].cursor : null,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
    totalItems: items.length,
  };
}
