import { Inject, Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../common/errors/domain-error';
import { opignoConfig, OpignoConfig } from '../config/configuration';
import { OpignoGraphqlClient, PartialGraphqlAnswer } from './opigno-graphql.client';
import { mapCatalogPage, mapLearningPath, mapTrainingProgressPage, mapUserContextPayload } from './opigno-mappers';
import { UpstreamMalformedError, UpstreamNotFoundError, UpstreamRejectedError } from './opigno.errors';
import {
  CatalogPageRequest,
  LearningPath,
  OPIGNO_USER_UUID_PATTERN,
  PageRequest,
  SetUserContextInput,
  TrainingProgress,
  UpstreamPage,
  UpstreamStatus,
  UserContext,
} from './opigno.types';

/** Largest page Opigno serves for progress; getAllUserTrainingProgress asks for this many at a time. */
const PROGRESS_PAGE_SIZE = 100;
/** A guard against an upstream whose cursors never end. */
const MAX_PROGRESS_PAGES = 10_000;
const MAX_LP_ID_LENGTH = 255;
const NOT_FOUND_VIOLATION = /not found|does not exist|unknown/i;

function checkUserUuid(uuid: string, field = 'uuid'): void {
  if (typeof uuid !== 'string' || !OPIGNO_USER_UUID_PATTERN.test(uuid)) {
    throw new ValidationFailedError([
      {
        field,
        code: 'invalid_uuid',
        message: `${field} must be 1 to 128 characters from A-Z a-z 0-9 . _ : @ - and start with a letter or digit`,
      },
    ]);
  }
}

/** getUserContext's answer: the context, or not found when Opigno says only that it does not know the user. */
function userContextOf(data: unknown, uuid: string): UserContext {
  const { violations, context } = mapUserContextPayload(data, 'getUserContext');
  if (context && violations.length === 0) return context;
  if (!context && violations.every((violation) => NOT_FOUND_VIOLATION.test(violation))) {
    throw new UpstreamNotFoundError(`Opigno has no user context ${uuid}.`);
  }
  throw new UpstreamRejectedError('getUserContext', violations);
}

/** A root field's own outcome in an answer that may hold other fields' errors. */
type PartOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: 'lost' };

function partOf<T>(answer: PartialGraphqlAnswer, rootField: string, map: (data: unknown) => T): PartOutcome<T> {
  const errors = answer.errorsByRootField.get(rootField);
  if (errors) return { ok: false, error: new UpstreamRejectedError(rootField, errors) };
  // Another field's error nulled the whole `data` (a non-null root field failed): this part was never answered.
  if (answer.data === null) return { ok: 'lost' };
  try {
    return { ok: true, value: map(answer.data) };
  } catch (error: unknown) {
    return { ok: false, error };
  }
}

/** A part's answer: its own value or error, or, when it was never answered, what `fetchAlone` gets. */
function settlePart<T, R>(outcome: PartOutcome<T>, fetchAlone: () => Promise<R>, use: (value: T) => R | Promise<R>): R | Promise<R> {
  if (outcome.ok === 'lost') return fetchAlone();
  if (!outcome.ok) throw outcome.error;
  return use(outcome.value);
}

export interface UserContextWithTrainingProgress {
  context: Promise<UserContext>;
  trainings: Promise<TrainingProgress[]>;
}

function checkPage(page: PageRequest): void {
  if (!Number.isInteger(page.first) || page.first < 1) {
    throw new ValidationFailedError([{ field: 'first', code: 'invalid_page_size', message: 'first must be a positive integer' }]);
  }
}

/**
 * The typed Opigno operations the companion uses. Every call names the user it acts on (Opigno-Client-UUID);
 * calls about no particular user (the catalogue) act as OPIGNO_SERVICE_UUID.
 */
@Injectable()
export class OpignoClient {
  private readonly serviceUuid: string;

  constructor(
    private readonly graphql: OpignoGraphqlClient,
    @Inject(opignoConfig.KEY) config: OpignoConfig,
  ) {
    this.serviceUuid = config.serviceUuid;
  }

  /** @throws UpstreamNotFoundError when Opigno has no context with this uuid */
  getUserContext(uuid: string): Promise<UserContext> {
    checkUserUuid(uuid);
    return this.graphql.execute('getUserContext', { uuid }, uuid, (data) => userContextOf(data, uuid));
  }

  /**
   * The user's context and all their training progress, asked for in one request (the joint document) with later
   * progress pages fetched as usual. Each part settles on its own: an error Opigno locates at one root field fails that
   * part only, and a part whose data another part's error wiped out is fetched by itself.
   */
  readUserContextWithTrainingProgress(uuid: string): UserContextWithTrainingProgress {
    checkUserUuid(uuid);
    const joint = this.graphql.executeJointUserRead({ uuid, first: PROGRESS_PAGE_SIZE, after: null }, uuid, (answer) => ({
      context: partOf(answer, 'getUserContext', (data) => userContextOf(data, uuid)),
      progress: partOf(answer, 'getUserTrainingProgress', mapTrainingProgressPage),
    }));
    return {
      context: joint.then(({ context }) =>
        settlePart(
          context,
          () => this.getUserContext(uuid),
          (value) => value,
        ),
      ),
      trainings: joint.then(({ progress }) =>
        settlePart(
          progress,
          () => this.getAllUserTrainingProgress(uuid),
          (firstPage) => this.remainingTrainingProgress(uuid, firstPage),
        ),
      ),
    };
  }

  /** Create-or-update. Omitted fields keep their stored value; omit `scope` for anonymous users. */
  setUserContext(input: SetUserContextInput): Promise<UserContext> {
    checkUserUuid(input.uuid);
    const variables: Record<string, unknown> = { uuid: input.uuid };
    if (input.displayName !== undefined) variables.displayName = input.displayName;
    if (input.isActive !== undefined) variables.isActive = input.isActive;
    if (input.scope !== undefined) variables.scope = input.scope;
    return this.graphql.execute('setUserContext', variables, input.uuid, (data) => {
      const { violations, context } = mapUserContextPayload(data, 'setUserContext');
      if (violations.length > 0) throw new UpstreamRejectedError('setUserContext', violations);
      if (!context) throw new UpstreamMalformedError('Opigno answered setUserContext without errors and without a response.');
      if (context.uuid !== input.uuid)
        throw new UpstreamMalformedError('Opigno answered setUserContext with another user context than the one sent.');
      return context;
    });
  }

  /** The learning path as `asUserUuid` sees it (userEnrolled is theirs); null when Opigno does not know it. */
  getLearningPath(lpId: string, asUserUuid: string = this.serviceUuid): Promise<LearningPath | null> {
    if (typeof lpId !== 'string' || lpId.length === 0 || lpId.length > MAX_LP_ID_LENGTH) {
      throw new ValidationFailedError([
        { field: 'lpId', code: 'invalid_lp_id', message: `lpId must be 1 to ${MAX_LP_ID_LENGTH} characters` },
      ]);
    }
    checkUserUuid(asUserUuid, 'asUserUuid');
    return this.graphql.execute('getLearningPath', { lpId }, asUserUuid, mapLearningPath);
  }

  /** One catalogue page; `after` is the previous page's endCursor. */
  getCatalogPage(page: CatalogPageRequest, asUserUuid: string = this.serviceUuid): Promise<UpstreamPage<LearningPath>> {
    checkPage(page);
    checkUserUuid(asUserUuid, 'asUserUuid');
    const variables: Record<string, unknown> = { first: page.first, after: page.after ?? null };
    if (page.filters !== undefined) variables.filters = page.filters;
    return this.graphql.execute('getCatalogData', variables, asUserUuid, mapCatalogPage);
  }

  getUserTrainingProgressPage(uuid: string, page: PageRequest): Promise<UpstreamPage<TrainingProgress>> {
    checkUserUuid(uuid);
    checkPage(page);
    return this.graphql.execute('getUserTrainingProgress', { first: page.first, after: page.after ?? null }, uuid, mapTrainingProgressPage);
  }

  /** Every progress record of the user, paging through the upstream. */
  async getAllUserTrainingProgress(uuid: string): Promise<TrainingProgress[]> {
    return this.remainingTrainingProgress(uuid, await this.getUserTrainingProgressPage(uuid, { first: PROGRESS_PAGE_SIZE, after: null }));
  }

  /** The first page's records and those of every page after it. */
  private async remainingTrainingProgress(uuid: string, firstPage: UpstreamPage<TrainingProgress>): Promise<TrainingProgress[]> {
    const all: TrainingProgress[] = [...firstPage.items];
    let page = firstPage;
    let after: string | null = null;
    for (let pages = 1; page.hasNextPage; pages++) {
      if (page.endCursor === null || page.endCursor === after) {
        throw new UpstreamMalformedError('Opigno answered getUserTrainingProgress with a next page but no new cursor.');
      }
      if (pages >= MAX_PROGRESS_PAGES)
        throw new UpstreamMalformedError(`Opigno answered getUserTrainingProgress with more than ${MAX_PROGRESS_PAGES} pages.`);
      after = page.endCursor;
      page = await this.getUserTrainingProgressPage(uuid, { first: PROGRESS_PAGE_SIZE, after });
      all.push(...page.items);
    }
    return all;
  }

  /** The circuit state and where the connection comes from (also on /health/ready). */
  status(): UpstreamStatus {
    return this.graphql.status();
  }
}
