import { diffFields } from './audit-diff';

describe('diffFields', () => {
  it('lists added, changed and removed keys with their values', () => {
    const diff = diffFields({ a: 1, b: 'x', c: true }, { a: 2, c: true, d: [1] }, () => false);
    expect(diff.changedFields).toEqual(['a', 'b', 'd']);
    expect(diff.changes).toEqual({ a: { old: 1, new: 2 }, b: { old: 'x' }, d: { new: [1] } });
  });

  it('names pii fields but never carries their values', () => {
    const diff = diffFields(null, { email: 'ada@example.org', team: 'x' }, (key) => key === 'email');
    expect(diff.changedFields).toEqual(['email', 'team']);
    expect(diff.changes).toEqual({ team: { new: 'x' } });
    expect(JSON.stringify(diff)).not.toContain('ada@example.org');
  });

  it('ignores key order inside json values', () => {
    expect(diffFields({ j: { a: 1, b: 2 } }, { j: { b: 2, a: 1 } }, () => false).changedFields).toEqual([]);
  });
});
