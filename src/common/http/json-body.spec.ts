import { assertAcceptableJson, MAX_JSON_DEPTH, parseQueryString } from './json-body';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

describe('assertAcceptableJson', () => {
  it('accepts ordinary bodies up to the depth limit', () => {
    expect(() => assertAcceptableJson({ fields: { a: [1, 'x', { b: null }] } })).not.toThrow();
    expect(() => assertAcceptableJson(nested(MAX_JSON_DEPTH))).not.toThrow();
  });

  it('refuses deeper nesting without exhausting the stack', () => {
    expect(() => assertAcceptableJson(nested(MAX_JSON_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'json_too_deep' }));
    expect(() => assertAcceptableJson(nested(100_000))).toThrow(expect.objectContaining({ code: 'json_too_deep' }));
  });

  it('refuses U+0000 in values and keys', () => {
    expect(() => assertAcceptableJson({ a: 'x\u0000y' })).toThrow(expect.objectContaining({ code: 'invalid_character' }));
    expect(() => assertAcceptableJson({ ['k\u0000']: 1 })).toThrow(expect.objectContaining({ code: 'invalid_character' }));
  });
});

describe('parseQueryString', () => {
  it('keeps the last value of a repeated key', () => {
    expect(parseQueryString('include=context&include=trainings&strict=true')).toEqual({ include: 'trainings', strict: 'true' });
  });

  it('never touches Object.prototype', () => {
    const query = parseQueryString('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(query.__proto__).toBe('x');
  });
});
