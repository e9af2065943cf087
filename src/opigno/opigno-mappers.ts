import { UpstreamMalformedError } from './opigno.errors';
import {
  LearningPath,
  TRAINING_STATUSES,
  TrainingProgress,
  TrainingStatus,
  UpstreamPage,
  USER_CONTEXT_SCOPES,
  UserContext,
  UserContextScope,
} from './opigno.types';

/**
 * The one place where upstream answers become typed results. Every reader checks the shape and throws
 * UpstreamMalformedError naming the path that did not fit (an operator-replaced document must keep these shapes).
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Shape {
  constructor(
    private readonly operation: string,
    private readonly path: string,
    private readonly value: unknown,
  ) {}

  private fail(expected: string, at = this.path): never {
    throw new UpstreamMalformedError(`Opigno answered ${this.operation} with an unexpected shape: ${at} is not ${expected}.`);
  }

  field(name: string): Shape {
    if (!isObject(this.value)) this.fail('an object');
    return new Shape(this.operation, `${this.path}.${name}`, this.value[name]);
  }

  object(): Shape {
    if (!isObject(this.value)) this.fail('an object');
    return this;
  }

  isNull(): boolean {
    return this.value === null || this.value === undefined;
  }

  list(): Shape[] {
    if (!Array.isArray(this.value)) this.fail('a list');
    return this.value.map((item, index) => new Shape(this.operation, `${this.path}[${index}]`, item));
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail('a string');
    return this.value;
  }

  /** GraphQL ID: a string, or an integer some servers send as a number. */
  id(): string {
    if (typeof this.value === 'number' && Number.isInteger(this.value)) return String(this.value);
    if (typeof this.value !== 'string' || this.value.length === 0) this.fail('an id');
    return this.value;
  }

  nullableString(): string | null {
    return this.isNull() ? null : this.string();
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail('a boolean');
    return this.value;
  }

  nullableBoolean(): boolean | null {
    return this.isNull() ? null : this.boolean();
  }

  integer(): number {
    if (typeof this.value !== 'number' || !Number.isInteger(this.value)) this.fail('an integer');
    return this.value;
  }

  nullableInteger(): number | null {
    return this.isNull() ? null : this.integer();
  }

  nullableDate(): string | null {
    if (this.isNull()) return null;
    const text = this.string();
    if (Number.isNaN(Date.parse(text))) this.fail('an ISO 8601 date');
    return text;
  }

  oneOf<T extends string>(allowed: readonly T[]): T {
    const text = this.string();
    if (!(allowed as readonly string[]).includes(text)) this.fail(`one of ${allowed.join(', ')}`);
    return text as T;
  }
}

function rootOf(data: unknown, operation: string): Shape {
  return new Shape(operation, 'data', data).field(operation);
}

function userContext(shape: Shape): UserContext {
  shape.object();
  const scope = shape.field('scope');
  return {
    id: shape.field('id').id(),
    uuid: shape.field('uuid').string(),
    displayName: shape.field('displayName').nullableString(),
    isActive: shape.field('isActive').boolean(),
    scope: scope.isNull() ? null : scope.oneOf<UserContextScope>(USER_CONTEXT_SCOPES),
  };
}

export interface UserContextPayload {
  /** Violations (opaque messages); empty on success. */
  violations: string[];
  context: UserContext | null;
}

/** Reads `{ errors, response }` of getUserContext / setUserContext. */
export function mapUserContextPayload(data: unknown, operation: 'getUserContext' | 'setUserContext'): UserContextPayload {
  const payload = rootOf(data, operation).object();
  const response = payload.field('response');
  return {
    violations: payload
      .field('errors')
      .list()
      .map((violation) => violation.string()),
    context: response.isNull() ? null : userContext(response),
  };
}

function learningPath(shape: Shape): LearningPath {
  shape.object();
  const training = shape.field('training');
  return {
    id: shape.field('id').id(),
    title: training.isNull() ? null : training.field('title').nullableString(),
    certificationEnabled: shape.field('certificationEnabled').nullableBoolean(),
    userEnrolled: shape.field('userEnrolled').nullableBoolean(),
  };
}

export function mapLearningPath(data: unknown): LearningPath | null {
  const root = rootOf(data, 'getLearningPath');
  return root.isNull() ? null : learningPath(root);
}

function page<T>(connection: Shape, node: (shape: Shape) => T): UpstreamPage<T> {
  connection.object();
  const pageInfo = connection.field('pageInfo').object();
  const totalItems = connection.field('totalItems').integer();
  return {
    items: connection
      .field('edges')
      .list()
      .map((edge) => node(edge.field('node'))),
    endCursor: pageInfo.field('endCursor').nullableString(),
    hasNextPage: pageInfo.field('hasNextPage').boolean(),
    totalItems,
  };
}

export function mapCatalogPage(data: unknown): UpstreamPage<LearningPath> {
  return page(rootOf(data, 'getCatalogData'), learningPath);
}

const UPSTREAM_STATUSES = TRAINING_STATUSES.map((status) => status.toUpperCase());

function trainingProgress(shape: Shape): TrainingProgress {
  shape.object();
  return {
    lpId: shape.field('lpId').id(),
    title: shape.field('title').nullableString(),
    status: shape.field('status').oneOf(UPSTREAM_STATUSES).toLowerCase() as TrainingStatus,
    progress: shape.field('progress').integer(),
    score: shape.field('score').nullableInteger(),
    registeredAt: shape.field('registeredAt').nullableDate(),
    completedAt: shape.field('completedAt').nullableDate(),
    timeSpent: shape.field('timeSpent').nullableInteger(),
  };
}

export function mapTrainingProgressPage(data: unknown): UpstreamPage<TrainingProgress> {
  return page(rootOf(data, 'getUserTrainingProgress'), trainingProgress);
}
