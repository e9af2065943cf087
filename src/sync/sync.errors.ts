import { ConflictError, DomainError, NotFoundError } from '../common/errors/domain-error';

export class UnknownSyncJobError extends DomainError {
  readonly kind = 'unprocessable';
  readonly code = 'unknown_sync_job';
  constructor(job: string, known: string[]) {
    super(`No sync job named "${job}". Known jobs: ${known.join(', ') || 'none'}.`, {
      errors: [{ field: 'job', code: 'unknown_sync_job', message: `must be one of: ${known.join(', ')}` }],
    });
  }
}

export class SyncAlreadyRunningError extends ConflictError {
  constructor(
    readonly job: string,
    readonly runId: string | null,
  ) {
    super('sync_already_running', `A "${job}" run is already in progress${runId ? ` (${runId})` : ''}.`, { runId });
  }
}

/** A scheduled slot another instance already ran (or is running). Not an HTTP error: the scheduler logs it. */
export class ScheduleSlotTakenError extends ConflictError {
  constructor(job: string, slot: string) {
    super('schedule_slot_taken', `The "${job}" run of slot ${slot} already exists.`);
  }
}

export class SyncRunNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`No sync run with id ${id}.`, 'sync_run_not_found');
  }
}

export class SyncRunNotRunningError extends ConflictError {
  constructor(id: string, status: string) {
    super('sync_run_not_running', `Sync run ${id} is already ${status}.`, { runStatus: status });
  }
}

/** Whether an error means the upstream is (temporarily) unreachable: worth backing off and retrying. */
export function isUpstreamUnavailable(error: unknown): boolean {
  if (error instanceof DomainError && error.kind === 'unavailable') return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'upstream_unavailable' || code === 'upstream_timeout';
}

/** The code and message recorded for a failed item. */
export function describeItemError(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: typeof code === 'string' && code.length > 0 ? code.slice(0, 64) : error instanceof DomainError ? error.kind : 'internal',
    message: message.slice(0, 2000),
  };
}
