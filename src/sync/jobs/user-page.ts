import type { KnownUsersRepository } from '../../identity/known-users.repository';
import type { WorkItem, WorkPage } from '../sync-job';

/** One page of known users as work items; the checkpoint is the last uuid of a full page. */
export async function knownUsersPage(
  users: KnownUsersRepository,
  checkpoint: string | null,
  pageSize: number,
): Promise<WorkPage<WorkItem>> {
  const [uuids, total] = await Promise.all([
    users.pageAfter(checkpoint, pageSize),
    checkpoint === null ? users.count() : Promise.resolve(undefined),
  ]);
  return {
    items: uuids.map((key) => ({ key })),
    nextCheckpoint: uuids.length === pageSize ? uuids[uuids.length - 1]! : null,
    ...(total === undefined ? {} : { total }),
  };
}
