/** The seed file format of the simulator, and its validation (seeds come from files and HTTP). */

export const USER_CONTEXT_SCOPES = ['AUTHENTICATED', 'ADMINISTRATOR'] as const;
export type UserContextScope = (typeof USER_CONTEXT_SCOPES)[number];

export const TRAINING_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'COMPLETED', 'PASSED', 'FAILED'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

export interface SeedUser {
  uuid: string;
  displayName?: string | null;
  isActive?: boolean;
  scope?: UserContextScope | null;
}

export interface SeedLearningPath {
  id: string;
  title: string;
  certificationEnabled?: boolean;
}

export interface SeedProgress {
  uuid: string;
  lpId: string;
  status: TrainingStatus;
  progress: number;
  score?: number | null;
  /** ISO 8601 */
  registeredAt?: string | null;
  /** ISO 8601 */
  completedAt?: string | null;
  /** seconds */
  timeSpent?: number;
}

export interface SimulatorSeed {
  users?: SeedUser[];
  learningPaths?: SeedLearningPath[];
  progress?: SeedProgress[];
}

export class InvalidSeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSeedError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(seed: Json, key: string): Json[] {
  const value = seed[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidSeedError(`"${key}" must be an array`);
  return value.map((item: unknown, index) => {
    if (!isObject(item)) throw new InvalidSeedError(`${key}[${index}] must be an object`);
    return item;
  });
}

function text(item: Json, key: string, where: string): string {
  const value = item[key];
  // Seeds written by hand often use numeric ids; accept them as their decimal string.
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value !== 'string' || value.length === 0) throw new InvalidSeedError(`${where}.${key} must be a non-empty string`);
  return value;
}

function optional<T>(item: Json, key: string, where: string, check: (v: unknown) => v is T, expected: string): T | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (!check(value)) throw new InvalidSeedError(`${where}.${key} must be ${expected}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isScope = (v: unknown): v is UserContextScope | null => v === null || (USER_CONTEXT_SCOPES as readonly unknown[]).includes(v);
export const isStatus = (v: unknown): v is TrainingStatus => (TRAINING_STATUSES as readonly unknown[]).includes(v);
export const isPercent = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100;
export const isNullablePercent = (v: unknown): v is number | null => v === null || isPercent(v);
export const isSeconds = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
export const isNullableDate = (v: unknown): v is string | null => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));

/** Checks an untrusted value (a parsed JSON file or request body) and returns it typed. */
export function parseSimulatorSeed(input: unknown): SimulatorSeed {
  if (!isObject(input)) throw new InvalidSeedError('The seed must be a JSON object');
  const users = listOf(input, 'users').map((item, i): SeedUser => {
    const where = `users[${i}]`;
    return {
      uuid: text(item, 'uuid', where),
      displayName: optional(item, 'displayName', where, isNullableString, 'a string or null'),
      isActive: optional(item, 'isActive', where, isBoolean, 'a boolean'),
      scope: optional(item, 'scope', where, isScope, `one of ${USER_CONTEXT_SCOPES.join(', ')} or null`),
    };
  });
  const learningPaths = listOf(input, 'learningPaths').map((item, i): SeedLearningPath => {
    const where = `learningPaths[${i}]`;
    return {
      id: text(item, 'id', where),
      title: optional(item, 'title', where, isString, 'a string') ?? `Learning path ${text(item, 'id', where)}`,
      certificationEnabled: optional(item, 'certificationEnabled', where, isBoolean, 'a boolean'),
    };
  });
  const progress = listOf(input, 'progress').map((item, i): SeedProgress => {
    const where = `progress[${i}]`;
    const status = optional(item, 'status', where, isStatus, `one of ${TRAINING_STATUSES.join(', ')}`);
    const percent = optional(item, 'progress', where, isPercent, 'an integer from 0 to 100');
    if (status === undefined) throw new InvalidSeedError(`${where}.status is required`);
    if (percent === undefined) throw new InvalidSeedError(`${where}.progress is required`);
    return {
      uuid: text(item, 'uuid', where),
      lpId: text(item, 'lpId', where),
      status,
      progress: percent,
      score: optional(item, 'score', where, isNullablePercent, 'an integer from 0 to 100 or null'),
      registeredAt: optional(item, 'registeredAt', where, isNullableDate, 'an ISO 8601 date or null'),
      completedAt: optional(item, 'completedAt', where, isNullableDate, 'an ISO 8601 date or null'),
      timeSpent: optional(item, 'timeSpent', where, isSeconds, 'a non-negative integer (seconds)'),
    };
  });
  return { users, learningPaths, progress };
}
