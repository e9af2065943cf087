import { BadRequestError } from '../errors/domain-error';
import { etagOf, ifMatchSatisfied, parseWritePreconditions } from './etag';

describe('entity tags', () => {
  it('formats a strong tag', () => {
    expect(etagOf(7)).toBe('"7"');
  });

  it('parses lists, star and If-None-Match: *', () => {
    expect(parseWritePreconditions('"1", "3"', undefined)).toEqual({ ifMatch: [1, 3] });
    expect(parseWritePreconditions('*', '*')).toEqual({ ifMatch: '*', ifNoneMatchAny: true });
  });

  it('never matches weak tags', () => {
    const { ifMatch } = parseWritePreconditions('W/"2"', undefined);
    expect(ifMatchSatisfied(ifMatch, 2)).toBe(false);
  });

  it('refuses malformed tags with 400', () => {
    expect(() => parseWritePreconditions('2', undefined)).toThrow(BadRequestError);
    expect(() => parseWritePreconditions(undefined, '"2"')).toThrow(BadRequestError);
  });

  it('checks the current version', () => {
    expect(ifMatchSatisfied(undefined, null)).toBe(true);
    expect(ifMatchSatisfied([2], 2)).toBe(true);
    expect(ifMatchSatisfied([2], 3)).toBe(false);
    expect(ifMatchSatisfied('*', null)).toBe(false);
    expect(ifMatchSatisfied('*', 1)).toBe(true);
  });
});
