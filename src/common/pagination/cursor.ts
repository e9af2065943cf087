import { BadRequestError } from '../errors/domain-error';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** One page of a keyset-paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Encodes a keyset position as an opaque base64url token. */
export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a token made by encodeCursor; anything else is a 400 invalid_cursor. */
export function decodeCursor(token: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(token)) throw invalidCursor();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalidCursor();
  return decoded as Record<string, unknown>;
}

/** Parses a `limit` query value: default when absent, 400 when not an integer in 1..max. */
export function parsePageLimit(raw: string | undefined, max = MAX_PAGE_LIMIT, fallback = DEFAULT_PAGE_LIMIT): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new BadRequestError('invalid_limit', `limit must be an integer between 1 and ${max}.`, [
      { field: 'limit', code: 'invalid_limit', message: `must be an integer between 1 and ${max}` },
    ]);
  }
  return Number(raw);
}

/** The error for a cursor that decodes but does not describe a position of this list. */
export function invalidCursor(): BadRequestError {
  return new BadRequestError('invalid_cursor', 'The cursor is not one this API issued.', [
    { field: 'cursor', code: 'invalid_cursor', message: 'must be a nextCursor value from a previous page' },
  ]);
}
