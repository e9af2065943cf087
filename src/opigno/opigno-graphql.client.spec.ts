import { interpretGraphqlAnswer, interpretPartialGraphqlAnswer, TOKEN_REFUSED } from './opigno-graphql.client';
import {
  UpstreamAuthError,
  UpstreamMalformedError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './opigno.errors';

const answer = (status: number, body: unknown, retryAfterSeconds?: number) => ({
  status,
  text: typeof body === 'string' ? body : JSON.stringify(body),
  retryAfterSeconds,
});

describe('interpretGraphqlAnswer', () => {
  it('answers the data of a successful answer', () => {
    expect(interpretGraphqlAnswer(answer(200, { data: { getLearningPath: null } }), 'getLearningPath')).toEqual({ getLearningPath: null });
  });

  it('asks for a new token on HTTP 401 and on top-level authentication errors', () => {
    expect(interpretGraphqlAnswer(answer(401, { errors: [{ message: 'Unauthorized' }] }), 'getUserContext')).toBe(TOKEN_REFUSED);
    expect(
      interpretGraphqlAnswer(answer(200, { errors: [{ message: 'nope', extensions: { code: 'UNAUTHENTICATED' } }] }), 'getUserContext'),
    ).toBe(TOKEN_REFUSED);
    expect(interpretGraphqlAnswer(answer(200, { errors: [{ message: 'The access token expired' }], data: null }), 'getUserContext')).toBe(
      TOKEN_REFUSED,
    );
  });

  it('turns other top-level GraphQL errors and HTTP 400 into UpstreamRejectedError with their messages', () => {
    expect(() => interpretGraphqlAnswer(answer(200, { errors: [{ message: 'Cannot query field "x"' }] }), 'getUserContext')).toThrow(
      UpstreamRejectedError,
    );
    try {
      interpretGraphqlAnswer(answer(400, { errors: [{ message: 'Opigno-Client-UUID header is required' }] }), 'getUserContext');
    } catch (error: unknown) {
      expect((error as UpstreamRejectedError).violations).toEqual(['Opigno-Client-UUID header is required']);
    }
    expect.assertions(2);
  });

  it('classifies statuses: 403 auth, 429/5xx unavailable with Retry-After, 504 timeout, others malformed', () => {
    expect(() => interpretGraphqlAnswer(answer(403, {}), 'getUserContext')).toThrow(UpstreamAuthError);
    expect(() => interpretGraphqlAnswer(answer(503, 'busy', 7), 'getUserContext')).toThrow(
      expect.objectContaining({ reason: 'server_error', retryAfterSeconds: 7 }),
    );
    expect(() => interpretGraphqlAnswer(answer(429, {}), 'getUserContext')).toThrow(UpstreamUnavailableError);
    expect(() => interpretGraphqlAnswer(answer(504, {}), 'getUserContext')).toThrow(UpstreamTimeoutError);
    expect(() => interpretGraphqlAnswer(answer(404, 'Not Found'), 'getUserContext')).toThrow(UpstreamMalformedError);
  });

  it('refuses bodies that are not GraphQL answers', () => {
    expect(() => interpretGraphqlAnswer(answer(200, '{"data":{"getUserContext":{"err'), 'getUserContext')).toThrow(UpstreamMalformedError);
    expect(() => interpretGraphqlAnswer(answer(200, { data: 'x' }), 'getUserContext')).toThrow('without data');
    expect(() => interpretGraphqlAnswer(answer(200, { errors: 'x', data: {} }), 'getUserContext')).toThrow(UpstreamMalformedError);
  });
});

describe('interpretPartialGraphqlAnswer', () => {
  it('keeps the data of the root fields that succeeded and groups errors by the root field they name', () => {
    const body = {
      data: { getUserContext: null, getUserTrainingProgress: { totalItems: 0 } },
      errors: [
        { message: 'boom', path: ['getUserContext'] },
        { message: 'again', path: ['getUserContext', 'response'] },
      ],
    };
    const read = interpretPartialGraphqlAnswer(answer(200, body), 'getUserContextWithTrainingProgress');
    expect(read).toEqual({ data: body.data, errorsByRootField: new Map([['getUserContext', ['boom', 'again']]]) });
  });

  it('answers data null when an error nulled it, and refuses an answer with neither data nor errors', () => {
    const read = interpretPartialGraphqlAnswer(
      answer(200, { data: null, errors: [{ message: 'boom', path: ['getUserContext'] }] }),
      'getUserContextWithTrainingProgress',
    );
    expect(read).toMatchObject({ data: null });
    expect(() => interpretPartialGraphqlAnswer(answer(200, { data: null }), 'getUserContextWithTrainingProgress')).toThrow('without data');
  });

  it('fails the whole answer on an error located at no root field, and asks for a new token on authentication errors', () => {
    expect(() =>
      interpretPartialGraphqlAnswer(answer(200, { errors: [{ message: 'Syntax Error' }] }), 'getUserContextWithTrainingProgress'),
    ).toThrow(UpstreamRejectedError);
    expect(
      interpretPartialGraphqlAnswer(
        answer(200, { data: null, errors: [{ message: 'Unauthorized', path: ['getUserContext'] }] }),
        'getUserContextWithTrainingProgress',
      ),
    ).toBe(TOKEN_REFUSED);
    expect(() => interpretPartialGraphqlAnswer(answer(503, 'busy'), 'getUserContextWithTrainingProgress')).toThrow(
      UpstreamUnavailableError,
    );
  });
});
