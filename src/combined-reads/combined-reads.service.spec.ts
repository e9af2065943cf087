import type { Caller } from '../auth/roles';
import type { OpignoConfig } from '../config/configuration';
import type { OpignoClient } from '../opigno/opigno.client';
import type { LearningPath, TrainingProgress, UserContext } from '../opigno/opigno.types';
import type { ProfilesService } from '../profiles/profiles.service';
import type { TrainingRecordsService } from '../trainings/training-records.service';
import type { TrainingsService } from '../trainings/trainings.service';
import { CombinedReadsService } from './combined-reads.service';

const caller = { role: 'admin' } as unknown as Caller;
const config = { cache: { ttlMs: 60_000, staleWindowMs: 300_000, batchConcurrency: 4 } } as unknown as OpignoConfig;
const context: UserContext = { id: '7', uuid: 'user-1', displayName: 'Ada', isActive: true, scope: [] } as unknown as UserContext;
const learningPath = { lpId: '12', title: 'Safety', certificationEnabled: false } as unknown as LearningPath;

/**
 * The upstream as node:http behaves: a request passes a few awaits (token, circuit, concurrency cap) and is written to
 * its socket in a later nextTick. `events` records when it is written and when each local read runs.
 */
function setUp(): { service: CombinedReadsService; events: string[] } {
  const events: string[] = [];
  const sent = async <T>(answer: T): Promise<T> => {
    for (let hop = 0; hop < 6; hop++) await Promise.resolve();
    await new Promise<void>((resolve) =>
      process.nextTick(() => {
        events.push('upstream request written');
        resolve();
      }),
    );
    return answer;
  };
  const localRead = <T>(name: string, value: T) =>
    jest.fn(async () => {
      events.push(name);
      return value;
    });
  const opigno = {
    readUserContextWithTrainingProgress: () => {
      const answer = sent({ context, trainings: [] as TrainingProgress[] });
      return { context: answer.then((a) => a.context), trainings: answer.then((a) => a.trainings) };
    },
    getUserContext: () => sent(context),
    getLearningPath: () => sent(learningPath),
  } as unknown as OpignoClient;
  const profiles = { find: localRead('profile read', null) } as unknown as ProfilesService;
  const records = { allForUser: localRead('training records read', []) } as unknown as TrainingRecordsService;
  const trainings = {
    find: localRead('training read', null),
    getMany: localRead('trainings read', []),
  } as unknown as TrainingsService;
  return { service: new CombinedReadsService(profiles, trainings, records, opigno, config), events };
}

describe('CombinedReadsService', () => {
  it('writes the upstream request before the local reads of a learner run', async () => {
    const { service, events } = setUp();
    await service.readProfile('user-1', caller, ['context', 'trainings'], { strict: false, fresh: false });
    expect(events[0]).toBe('upstream request written');
    expect(events).toEqual(expect.arrayContaining(['profile read', 'training records read']));
  });

  it('writes the upstream request before the local read of a learning path runs', async () => {
    const { service, events } = setUp();
    await service.readLearningPath('12', caller, ['upstream'], { strict: false, fresh: false });
    expect(events).toEqual(['upstream request written', 'training read']);
  });

  it('reads locally at once when every included part comes from the cache', async () => {
    const { service, events } = setUp();
    await service.readProfile('user-1', caller, ['context'], { strict: false, fresh: false });
    events.length = 0;
    const read = service.readProfile('user-1', caller, ['context'], { strict: false, fresh: false });
    expect(events).toEqual(['profile read']);
    await read;
  });
});
