import { BadRequestError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, parsePageLimit } from './cursor';

describe('cursor codec', () => {
  it('round-trips a position, unicode included', () => {
    const position = { v: 'Zoë 🚀', id: 'anon-1', n: 0, num: 1.5 };
    const token = encodeCursor(position);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual(position);
  });

  it.each([
    'not base64!',
    '',
    encodeCursor({}).slice(0, 0) + 'bnVsbA',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('{oops').toString('base64url'),
  ])('refuses %p with invalid_cursor', (token) => {
    expect(() => decodeCursor(token)).toThrow(BadRequestError);
    try {
      decodeCursor(token);
    } catch (error) {
      expect((error as BadRequestError).code).toBe('invalid_cursor');
    }
  });
});

describe('page limit', () => {
  it('defaults to 50 and accepts 1..200', () => {
    expect(parsePageLimit(undefined)).toBe(50);
    expect(parsePageLimit('1')).toBe(1);
    expect(parsePageLimit('200')).toBe(200);
  });

  it.each(['0', '201', '-1', '2.5', 'ten'])('refuses %p', (raw) => {
    expect(() => parsePageLimit(raw)).toThrow(BadRequestError);
  });
});
