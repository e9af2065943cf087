import { compareIds } from './simulator-pagination';
import {
  InvalidSeedError,
  SimulatorSeed,
  TRAINING_STATUSES,
  TrainingStatus,
  UserContextScope,
  isNullableDate,
  isNullablePercent,
  isPercent,
  isSeconds,
  isStatus,
  parseSimulatorSeed,
} from './simulator-seed';

export interface SimUserContext {
  /** numeric "userContextId", auto-increment, as a string */
  id: string;
  uuid: string;
  displayName: string | null;
  isActive: boolean;
  /** null for anonymous users */
  scope: UserContextScope | null;
}

/** Create-or-update input: omitted fields keep their current value (or the creation default). */
export interface UserContextInput {
  uuid: string;
  displayName?: string | null;
  isActive?: boolean;
  scope?: UserContextScope | null;
}

export interface SimLearningPath {
  id: string;
  title: string;
  certificationEnabled: boolean;
}

export interface LearningPathInput {
  id: string;
  title: string;
  certificationEnabled?: boolean;
}

export interface SimProgress {
  lpId: string;
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
  timeSpent: number;
}

export type ProgressPatch = Partial<Omit<SimProgress, 'lpId'>>;

export interface GenerateOptions {
  users: number;
  /** default 20 */
  learningPaths?: number;
  /** default 3, at most `learningPaths` */
  progressPerUser?: number;
  /** PRNG seed; the same options always produce the same data. Default 42. */
  seed?: number;
  /** generated users are `${uuidPrefix}${n}` for n = 1..users; default "user-" */
  uuidPrefix?: string;
}

export interface StoreCounts {
  users: number;
  learningPaths: number;
  progress: number;
}

export class UnknownLearningPathError extends Error {
  constructor(lpId: string) {
    super(`Unknown learning path: ${lpId}`);
    this.name = 'UnknownLearningPathError';
  }
}

/** Progress kept with epoch-millisecond dates: a number is far smaller than an ISO string at 100k+ users. */
interface ProgressRecord {
  lpId: string;
  status: TrainingStatus;
  progress: number;
  score: number | null;
  registeredAt: number | null;
  completedAt: number | null;
  timeSpent: number;
}

const TERMINAL: ReadonlySet<TrainingStatus> = new Set<TrainingStatus>(['COMPLETED', 'PASSED', 'FAILED']);
const TOPICS = ['Onboarding', 'Workplace Safety', 'Compliance', 'Leadership', 'Data Privacy', 'Customer Care', 'Sales Basics', 'First Aid'];
const DAY_MS = 86_400_000;
const GENERATED_EPOCH = Date.UTC(2024, 0, 1);
// Module-level bindings: under a vm context (jest) every `Math.x` lookup is a slow global access.
const { floor, imul, min } = Math;

/** Small, fast, deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function fromIso(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

function view(record: ProgressRecord): SimProgress {
  return {
    lpId: record.lpId,
    status: record.status,
    progress: record.progress,
    score: record.score,
    registeredAt: toIso(record.registeredAt),
    completedAt: toIso(record.completedAt),
    timeSpent: record.timeSpent,
  };
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
}

/** In-memory state of the simulated Opigno instance. */
export class SimulatorStore {
  private readonly users = new Map<string, SimUserContext>();
  private readonly paths = new Map<string, SimLearningPath>();
  /** per user uuid, ordered by lpId */
  private readonly progress = new Map<string, ProgressRecord[]>();
  private sortedPaths: SimLearningPath[] | null = null;
  private nextUserId = 1;
  private progressTotal = 0;

  // ---- user contexts ----

  upsertUser(input: UserContextInput): SimUserContext {
    const existing = this.users.get(input.uuid);
    if (existing) {
      if (input.displayName !== undefined) existing.displayName = input.displayName;
      if (input.isActive !== undefined) existing.isActive = input.isActive;
      if (input.scope !== undefined) existing.scope = input.scope;
      return { ...existing };
    }
    const created: SimUserContext = {
      id: String(this.nextUserId++),
      uuid: input.uuid,
      displayName: input.displayName ?? null,
      isActive: input.isActive ?? false,
      scope: input.scope ?? null,
    };
    this.users.set(created.uuid, created);
    return { ...created };
  }

  getUser(uuid: string): SimUserContext | undefined {
    const user = this.users.get(uuid);
    return user ? { ...user } : undefined;
  }

  hasUser(uuid: string): boolean {
    return this.users.has(uuid);
  }

  /** Removes the user context and its progress records. */
  removeUser(uuid: string): boolean {
    const records = this.progress.get(uuid);
    if (records) {
      this.progressTotal -= records.length;
      this.progress.delete(uuid);
    }
    return this.users.delete(uuid);
  }

  userCount(): number {
    return this.users.size;
  }

  // ---- learning paths ----

  /** Create-or-update. */
  addLearningPath(input: LearningPathInput): SimLearningPath {
    const existing = this.paths.get(input.id);
    if (existing) {
      existing.title = input.title;
      if (input.certificationEnabled !== undefined) existing.certificationEnabled = input.certificationEnabled;
      return { ...existing };
    }
    const created: SimLearningPath = { id: input.id, title: input.title, certificationEnabled: input.certificationEnabled ?? false };
    this.paths.set(created.id, created);
    this.sortedPaths = null;
    return { ...created };
  }

  getLearningPath(id: string): SimLearningPath | undefined {
    const path = this.paths.get(id);
    return path ? { ...path } : undefined;
  }

  /** All learning paths ordered by id. The array is shared: do not mutate it. */
  listLearningPaths(): readonly Readonly<SimLearningPath>[] {
    if (!this.sortedPaths) this.sortedPaths = [...this.paths.values()].sort((a, b) => compareIds(a.id, b.id));
    return this.sortedPaths;
  }

  learningPathCount(): number {
    return this.paths.size;
  }

  // ---- progress and enrolment ----

  /**
   * Creates (enrols) or updates the user's progress on a learning path. The user context need
   * not exist: progress is keyed by uuid, as Opigno tracks it for any context it has seen.
   */
  setProgress(uuid: string, lpId: string, patch: ProgressPatch = {}): SimProgress {
    if (!this.paths.has(lpId)) throw new UnknownLearningPathError(lpId);
    this.checkPatch(patch);
    let records = this.progress.get(uuid);
    if (!records) {
      records = [];
      this.progress.set(uuid, records);
    }
    const index = this.indexOf(records, lpId);
    let record = index >= 0 ? records[index] : undefined;
    if (!record) {
      const status = patch.status ?? 'NOT_STARTED';
      const now = Date.now();
      record = {
        lpId,
        status,
        progress: TERMINAL.has(status) ? 100 : 0,
        score: null,
        registeredAt: now,
        completedAt: TERMINAL.has(status) ? now : null,
        timeSpent: 0,
      };
      records.splice(-index - 1, 0, record);
      this.progressTotal++;
    } else if (patch.status !== undefined && patch.completedAt === undefined && TERMINAL.has(patch.status) && record.completedAt === null) {
      record.completedAt = Date.now();
    }
    if (patch.status !== undefined) record.status = patch.status;
    if (patch.progress !== undefined) record.progress = patch.progress;
    if (patch.score !== undefined) record.score = patch.score;
    if (patch.registeredAt !== undefined) record.registeredAt = fromIso(patch.registeredAt);
    if (patch.completedAt !== undefined) record.completedAt = fromIso(patch.completedAt);
    if (patch.timeSpent !== undefined) record.timeSpent = patch.timeSpent;
    return view(record);
  }

  /** Unenrols the user from the learning path. */
  removeProgress(uuid: string, lpId: string): boolean {
    const records = this.progress.get(uuid);
    if (!records) return false;
    const index = this.indexOf(records, lpId);
    if (index < 0) return false;
    records.splice(index, 1);
    this.progressTotal--;
    if (records.length === 0) this.progress.delete(uuid);
    return true;
  }

  getProgress(uuid: string, lpId: string): SimProgress | undefined {
    const records = this.progress.get(uuid);
    if (!records) return undefined;
    const index = this.indexOf(records, lpId);
    return index >= 0 ? view(records[index]) : undefined;
  }

  /** The user's progress records ordered by lpId. */
  listProgress(uuid: string): SimProgress[] {
    return (this.progress.get(uuid) ?? []).map(view);
  }

  isEnrolled(uuid: string, lpId: string): boolean {
    const records = this.progress.get(uuid);
    return records !== undefined && this.indexOf(records, lpId) >= 0;
  }

  progressCount(): number {
    return this.progressTotal;
  }

  counts(): StoreCounts {
    return { users: this.users.size, learningPaths: this.paths.size, progress: this.progressTotal };
  }

  // ---- bulk ----

  /** Merges a seed (validated first, so a bad seed changes nothing). Returns the store's new counts. */
  load(seed: SimulatorSeed): StoreCounts {
    const checked = parseSimulatorSeed(seed);
    const paths = checked.learningPaths ?? [];
    const known = new Set([...this.paths.keys(), ...paths.map((p) => p.id)]);
    for (const [i, entry] of (checked.progress ?? []).entries()) {
      if (!known.has(entry.lpId)) throw new InvalidSeedError(`progress[${i}].lpId names an unknown learning path: ${entry.lpId}`);
    }
    for (const path of paths) this.addLearningPath(path);
    for (const user of checked.users ?? []) this.upsertUser(user);
    for (const entry of checked.progress ?? []) {
      const { uuid, lpId, ...patch } = entry;
      this.setProgress(uuid, lpId, patch);
    }
    return this.counts();
  }

  /**
   * Deterministic bulk data: learning paths "1".."M", users `${prefix}1`..`${prefix}N`, each
   * enrolled in K consecutive learning paths. Existing entries with the same keys are updated.
   */
  generate(options: GenerateOptions): StoreCounts {
    const userTotal = options.users;
    const pathTotal = options.learningPaths ?? 20;
    const perUser = min(options.progressPerUser ?? 3, pathTotal);
    checkCount('users', userTotal);
    checkCount('learningPaths', pathTotal);
    checkCount('progressPerUser', perUser);
    const prefix = options.uuidPrefix ?? 'user-';
    const random = prng(options.seed ?? 42);

    const pathIds: string[] = [];
    for (let n = 1; n <= pathTotal; n++) {
      const id = String(n);
      pathIds.push(id);
      this.addLearningPath({ id, title: `${TOPICS[(n - 1) % TOPICS.length]} ${n}`, certificationEnabled: random() < 0.3 });
    }

    const picked: number[] = new Array<number>(perUser);
    for (let n = 1; n <= userTotal; n++) {
      const uuid = `${prefix}${n}`;
      const existing = this.users.get(uuid);
      if (existing) {
        existing.displayName = `User ${n}`;
        existing.isActive = true;
        existing.scope = 'AUTHENTICATED';
      } else {
        // Direct insert rather than upsertUser: no defensive copy per user on the bulk path.
        this.users.set(uuid, { id: String(this.nextUserId++), uuid, displayName: `User ${n}`, isActive: true, scope: 'AUTHENTICATED' });
      }
      if (perUser === 0) continue;
      const start = floor(random() * pathTotal);
      for (let k = 0; k < perUser; k++) picked[k] = (start + k) % pathTotal;
      picked.sort((a, b) => a - b);
      const previous = this.progress.get(uuid);
      if (previous) this.progressTotal -= previous.length;
      const records: ProgressRecord[] = new Array<ProgressRecord>(perUser);
      for (let k = 0; k < perUser; k++) records[k] = this.randomRecord(pathIds[picked[k]], random);
      this.progress.set(uuid, records);
      this.progressTotal += perUser;
    }
    return this.counts();
  }

  clear(): void {
    this.users.clear();
    this.paths.clear();
    this.progress.clear();
    this.sortedPaths = null;
    this.nextUserId = 1;
    this.progressTotal = 0;
  }

  private randomRecord(lpId: string, random: () => number): ProgressRecord {
    const status = TRAINING_STATUSES[floor(random() * TRAINING_STATUSES.length)];
    const registeredAt = GENERATED_EPOCH + floor(random() * 365) * DAY_MS + floor(random() * DAY_MS);
    const terminal = TERMINAL.has(status);
    const progress = status === 'NOT_STARTED' ? 0 : terminal ? 100 : 1 + floor(random() * 99);
    const score =
      status === 'NOT_STARTED'
        ? null
        : status === 'FAILED'
          ? floor(random() * 50)
          : status === 'IN_PROGRESS' && random() < 0.5
            ? null
            : 50 + floor(random() * 51);
    return {
      lpId,
      status,
      progress,
      score,
      registeredAt,
      completedAt: terminal ? registeredAt + floor(random() * 60 * DAY_MS) : null,
      timeSpent: progress * (30 + floor(random() * 90)),
    };
  }

  /** Binary search by lpId; a miss returns -(insertion point) - 1. */
  private indexOf(records: readonly ProgressRecord[], lpId: string): number {
    let low = 0;
    let high = records.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = compareIds(records[mid].lpId, lpId);
      if (order === 0) return mid;
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return -low - 1;
  }

  private checkPatch(patch: ProgressPatch): void {
    const problems: string[] = [];
    if (patch.status !== undefined && !isStatus(patch.status)) problems.push(`status must be one of ${TRAINING_STATUSES.join(', ')}`);
    if (patch.progress !== undefined && !isPercent(patch.progress)) problems.push('progress must be an integer from 0 to 100');
    if (patch.score !== undefined && !isNullablePercent(patch.score)) problems.push('score must be an integer from 0 to 100 or null');
    if (patch.registeredAt !== undefined && !isNullableDate(patch.registeredAt))
      problems.push('registeredAt must be an ISO 8601 date or null');
    if (patch.completedAt !== undefined && !isNullableDate(patch.completedAt))
      problems.push('completedAt must be an ISO 8601 date or null');
    if (patch.timeSpent !== undefined && !isSeconds(patch.timeSpent)) problems.push('timeSpent must be a non-negative integer');
    if (problems.length > 0) throw new RangeError(problems.join('; '));
  }
}
