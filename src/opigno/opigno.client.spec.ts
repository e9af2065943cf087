import { ValidationFailedError } from '../common/errors/domain-error';
import type { OpignoConfig } from '../config/configuration';
import type { OpignoGraphqlClient } from './opigno-graphql.client';
import { OpignoClient } from './opigno.client';
import { UpstreamMalformedError, UpstreamNotFoundError, UpstreamRejectedError } from './opigno.errors';

type Execute = (
  operation: string,
  variables: Record<string, unknown>,
  asUserUuid: string,
  map: (data: unknown) => unknown,
) => Promise<unknown>;

/** An OpignoClient over a fake transport that answers `data` per call (the real mappers run). */
function clientAnswering(...answers: unknown[]): {
  client: OpignoClient;
  calls: Array<{ operation: string; variables: Record<string, unknown>; asUserUuid: string }>;
} {
  const calls: Array<{ operation: string; variables: Record<string, unknown>; asUserUuid: string }> = [];
  const execute: Execute = async (operation, variables, asUserUuid, map) => {
    calls.push({ operation, variables, asUserUuid });
    return map(answers.shift());
  };
  const executeJointUserRead = async (variables: Record<string, unknown>, asUserUuid: string, map: (answer: unknown) => unknown) => {
    calls.push({ operation: 'joint', variables, asUserUuid });
    return map(answers.shift());
  };
  const graphql = { execute, executeJointUserRead } as unknown as OpignoGraphqlClient;
  return { client: new OpignoClient(graphql, { serviceUuid: 'svc' } as OpignoConfig), calls };
}

const USER = { id: '1', uuid: 'u-1', displayName: null, isActive: false, scope: null };
const progressPage = (lpIds: string[], hasNextPage: boolean, endCursor: string | null) => ({
  getUserTrainingProgress: {
    totalItems: 3,
    pageInfo: { hasNextPage, endCursor },
    edges: lpIds.map((lpId) => ({
      node: { lpId, title: null, status: 'NOT_STARTED', progress: 0, score: null, registeredAt: null, completedAt: null, timeSpent: 0 },
    })),
  },
});

describe('OpignoClient', () => {
  it('refuses a user uuid outside the opaque identifier rules before calling Opigno', () => {
    const { client, calls } = clientAnswering();
    expect(() => client.getUserContext('has space')).toThrow(ValidationFailedError);
    expect(() => client.setUserContext({ uuid: 'x'.repeat(129) })).toThrow(ValidationFailedError);
    expect(calls).toEqual([]);
  });

  it('tells a missing context (not found) from other violations (rejected)', async () => {
    await expect(
      clientAnswering({ getUserContext: { errors: ['User context not found'], response: null } }).client.getUserContext('u-1'),
    ).rejects.toBeInstanceOf(UpstreamNotFoundError);
    await expect(clientAnswering({ getUserContext: { errors: [], response: null } }).client.getUserContext('u-1')).rejects.toBeInstanceOf(
      UpstreamNotFoundError,
    );
    await expect(
      clientAnswering({ getUserContext: { errors: ['The application may not act on this user'], response: null } }).client.getUserContext(
        'u-1',
      ),
    ).rejects.toBeInstanceOf(UpstreamRejectedError);
  });

  it('sends only the setUserContext fields given, as the user acted on', async () => {
    const { client, calls } = clientAnswering({ setUserContext: { errors: [], response: USER } });
    await expect(client.setUserContext({ uuid: 'u-1', isActive: false })).resolves.toEqual(USER);
    expect(calls).toEqual([{ operation: 'setUserContext', variables: { uuid: 'u-1', isActive: false }, asUserUuid: 'u-1' }]);
  });

  it('refuses a setUserContext answer about another user', async () => {
    const { client } = clientAnswering({ setUserContext: { errors: [], response: { ...USER, uuid: 'someone-else' } } });
    await expect(client.setUserContext({ uuid: 'u-1' })).rejects.toBeInstanceOf(UpstreamMalformedError);
  });

  it('acts as the service uuid for the catalogue unless told otherwise', async () => {
    const page = { getCatalogData: { totalItems: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } };
    const { client, calls } = clientAnswering(page, page);
    await client.getCatalogPage({ first: 10 });
    await client.getCatalogPage({ first: 10, after: 'c', filters: [{ key: 'status', value: ['Passed'] }] }, 'u-1');
    expect(calls.map((c) => c.asUserUuid)).toEqual(['svc', 'u-1']);
    expect(calls[1]!.variables).toEqual({ first: 10, after: 'c', filters: [{ key: 'status', value: ['Passed'] }] });
  });

  it('pages through all progress following endCursor', async () => {
    const { client, calls } = clientAnswering(progressPage(['1', '2'], true, 'c2'), progressPage(['3'], false, 'c3'));
    await expect(client.getAllUserTrainingProgress('u-1')).resolves.toHaveLength(3);
    expect(calls.map((c) => c.variables)).toEqual([
      { first: 100, after: null },
      { first: 100, after: 'c2' },
    ]);
  });

  it('stops with UpstreamMalformedError when a next page has no new cursor', async () => {
    const { client } = clientAnswering(progressPage(['1'], true, 'c1'), progressPage(['2'], true, 'c1'));
    await expect(client.getAllUserTrainingProgress('u-1')).rejects.toThrow('no new cursor');
  });

  describe('reading context and progress in one request', () => {
    const joint = (data: Record<string, unknown> | null, errors: Array<[string, string[]]> = []) => ({
      data,
      errorsByRootField: new Map(errors),
    });
    const CONTEXT_DATA = { getUserContext: { errors: [], response: USER } };

    it('answers both parts from one call and pages on with the progress document', async () => {
      const { client, calls } = clientAnswering(
        joint({ ...CONTEXT_DATA, ...progressPage(['1', '2'], true, 'c2') }),
        progressPage(['3'], false, null),
      );
      const read = client.readUserContextWithTrainingProgress('u-1');
      await expect(read.context).resolves.toEqual(USER);
      await expect(read.trainings).resolves.toHaveLength(3);
      expect(calls).toEqual([
        { operation: 'joint', variables: { uuid: 'u-1', first: 100, after: null }, asUserUuid: 'u-1' },
        { operation: 'getUserTrainingProgress', variables: { first: 100, after: 'c2' }, asUserUuid: 'u-1' },
      ]);
    });

    it('fails only the part whose root field Opigno reports an error for', async () => {
      const { client } = clientAnswering(
        joint({ getUserContext: null, ...progressPage(['1'], false, null) }, [['getUserContext', ['boom']]]),
      );
      const read = client.readUserContextWithTrainingProgress('u-1');
      await expect(read.context).rejects.toBeInstanceOf(UpstreamRejectedError);
      await expect(read.trainings).resolves.toHaveLength(1);
    });

    it('keeps not found and malformed answers to their own part', async () => {
      const { client } = clientAnswering(joint({ getUserContext: { errors: ['User context not found'], response: null } }));
      const read = client.readUserContextWithTrainingProgress('u-1');
      await expect(read.context).rejects.toBeInstanceOf(UpstreamNotFoundError);
      await expect(read.trainings).rejects.toBeInstanceOf(UpstreamMalformedError);
    });

    it("fetches a part alone when another part's error wiped out the whole data", async () => {
      const { client, calls } = clientAnswering(joint(null, [['getUserContext', ['boom']]]), progressPage(['1'], false, null));
      const read = client.readUserContextWithTrainingProgress('u-1');
      await expect(read.context).rejects.toBeInstanceOf(UpstreamRejectedError);
      await expect(read.trainings).resolves.toHaveLength(1);
      expect(calls.map((c) => c.operation)).toEqual(['joint', 'getUserTrainingProgress']);
    });
  });
});
