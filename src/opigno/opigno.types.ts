/** The typed view of the upstream that the rest of the companion uses. Answers are mapped to these in opigno-mappers.ts only. */

export const USER_CONTEXT_SCOPES = ['AUTHENTICATED', 'ADMINISTRATOR'] as const;
export type UserContextScope = (typeof USER_CONTEXT_SCOPES)[number];

/** Opaque user identifiers: a strict character set and length, not only UUID v4 (anonymous users are `anon-…`). */
export const OPIGNO_USER_UUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export interface UserContext {
  /** Opigno's numeric "userContextId", kept as a string. Not the uuid. */
  id: string;
  uuid: string;
  displayName: string | null;
  isActive: boolean;
  /** null for anonymous users */
  scope: UserContextScope | null;
}

export interface SetUserContextInput {
  uuid: string;
  /** omitted: keep the stored value */
  displayName?: string | null;
  /** omitted: keep the stored value (Opigno creates contexts inactive) */
  isActive?: boolean;
  /** omit for anonymous users */
  scope?: UserContextScope | null;
}

export interface LearningPath {
  id: string;
  title: string | null;
  certificationEnabled: boolean | null;
  userEnrolled: boolean | null;
}

export const TRAINING_STATUSES = ['not_started', 'in_progress', 'completed', 'passed', 'failed'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

export interface TrainingProgress {
  lpId: string;
  title: string | null;
  status: TrainingStatus;
  /** 0 to 100 */
  progress: number;
  /** 0 to 100, null before any scored activity */
  score: number | null;
  /** ISO 8601 */
  registeredAt: string | null;
  /** ISO 8601, null until completed */
  completedAt: string | null;
  /** seconds */
  timeSpent: number | null;
}

export interface PageRequest {
  first: number;
  /** the previous page's endCursor; omitted or null for the first page */
  after?: string | null;
}

export interface CatalogFilter {
  key: string;
  value: string[];
}

export interface CatalogPageRequest extends PageRequest {
  filters?: CatalogFilter[];
}

export interface UpstreamPage<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalItems: number;
}

export type ConnectionSource = 'config' | 'database' | 'simulator';
export type CircuitState = 'closed' | 'open' | 'half_open';

/** What /health/ready reports about the upstream. */
export interface UpstreamStatus {
  [key: string]: unknown;
  state: CircuitState;
  configured: boolean;
  source: ConnectionSource;
}
