import { mapCatalogPage, mapLearningPath, mapTrainingProgressPage, mapUserContextPayload } from './opigno-mappers';
import { UpstreamMalformedError } from './opigno.errors';

const USER = { id: '7', uuid: 'user-1', displayName: 'Ada', isActive: true, scope: 'AUTHENTICATED' };

describe('opigno mappers', () => {
  it('maps a user context payload, keeping id and uuid apart', () => {
    expect(mapUserContextPayload({ setUserContext: { errors: [], response: USER } }, 'setUserContext')).toEqual({
      violations: [],
      context: { id: '7', uuid: 'user-1', displayName: 'Ada', isActive: true, scope: 'AUTHENTICATED' },
    });
  });

  it('accepts a numeric id, an anonymous (null) scope and violations without a response', () => {
    expect(
      mapUserContextPayload({ getUserContext: { errors: [], response: { ...USER, id: 12, scope: null } } }, 'getUserContext').context,
    ).toMatchObject({
      id: '12',
      scope: null,
    });
    expect(mapUserContextPayload({ getUserContext: { errors: ['User context not found'], response: null } }, 'getUserContext')).toEqual({
      violations: ['User context not found'],
      context: null,
    });
  });

  it.each([
    ['no root field', {}, 'data.setUserContext'],
    ['errors not a list', { setUserContext: { errors: 'bad', response: null } }, 'data.setUserContext.errors'],
    ['a violation that is not a string', { setUserContext: { errors: [1], response: null } }, 'data.setUserContext.errors[0]'],
    [
      'isActive not a boolean',
      { setUserContext: { errors: [], response: { ...USER, isActive: 'yes' } } },
      'data.setUserContext.response.isActive',
    ],
    ['an unknown scope', { setUserContext: { errors: [], response: { ...USER, scope: 'ROOT' } } }, 'data.setUserContext.response.scope'],
    ['no uuid', { setUserContext: { errors: [], response: { ...USER, uuid: undefined } } }, 'data.setUserContext.response.uuid'],
  ])('refuses a user context payload with %s', (_name, data, path) => {
    expect(() => mapUserContextPayload(data, 'setUserContext')).toThrow(UpstreamMalformedError);
    expect(() => mapUserContextPayload(data, 'setUserContext')).toThrow(path);
  });

  it('maps a learning path (title from training) and null for an unknown one', () => {
    expect(
      mapLearningPath({ getLearningPath: { id: '3', training: { title: 'Safety' }, userEnrolled: true, certificationEnabled: false } }),
    ).toEqual({
      id: '3',
      title: 'Safety',
      userEnrolled: true,
      certificationEnabled: false,
    });
    expect(mapLearningPath({ getLearningPath: { id: '4', training: null, userEnrolled: null, certificationEnabled: null } })).toEqual({
      id: '4',
      title: null,
      userEnrolled: null,
      certificationEnabled: null,
    });
    expect(mapLearningPath({ getLearningPath: null })).toBeNull();
  });

  it('maps a catalogue page and refuses edges that are not a list', () => {
    const page = mapCatalogPage({
      getCatalogData: {
        totalItems: 2,
        pageInfo: { hasNextPage: true, endCursor: 'c1' },
        edges: [{ node: { id: '1', training: { title: 'One' }, userEnrolled: false, certificationEnabled: true } }],
      },
    });
    expect(page).toEqual({
      items: [{ id: '1', title: 'One', userEnrolled: false, certificationEnabled: true }],
      endCursor: 'c1',
      hasNextPage: true,
      totalItems: 2,
    });
    expect(() =>
      mapCatalogPage({ getCatalogData: { totalItems: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: {} } }),
    ).toThrow('data.getCatalogData.edges is not a list');
  });

  it('maps training progress with lower-cased statuses', () => {
    const node = {
      lpId: '5',
      title: 'Five',
      status: 'IN_PROGRESS',
      progress: 40,
      score: null,
      registeredAt: '2026-01-02T00:00:00.000Z',
      completedAt: null,
      timeSpent: 120,
    };
    const page = mapTrainingProgressPage({
      getUserTrainingProgress: { totalItems: 1, pageInfo: { hasNextPage: false, endCursor: 'x' }, edges: [{ node }] },
    });
    expect(page.items).toEqual([{ ...node, status: 'in_progress' }]);
  });

  it('refuses an unknown status, a fractional progress and a date that is not one', () => {
    const base = {
      lpId: '5',
      title: null,
      status: 'PASSED',
      progress: 100,
      score: 90,
      registeredAt: null,
      completedAt: null,
      timeSpent: null,
    };
    const wrap = (node: object) => ({
      getUserTrainingProgress: { totalItems: 1, pageInfo: { hasNextPage: false, endCursor: null }, edges: [{ node }] },
    });
    expect(() => mapTrainingProgressPage(wrap({ ...base, status: 'DONE' }))).toThrow('status is not one of NOT_STARTED');
    expect(() => mapTrainingProgressPage(wrap({ ...base, progress: 50.5 }))).toThrow('progress is not an integer');
    expect(() => mapTrainingProgressPage(wrap({ ...base, completedAt: 'yesterday' }))).toThrow('completedAt is not an ISO 8601 date');
  });
});
