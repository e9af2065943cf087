import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  DocumentNode,
  ExecutionResult,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  buildSchema,
  execute,
  getOperationAST,
  parse,
  validate,
} from 'graphql';
import { Page, PageArgs, compareIds, paginate } from './simulator-pagination';
import { TrainingStatus, UserContextScope } from './simulator-seed';
import { SimLearningPath, SimProgress, SimUserContext, SimulatorStore } from './simulator-store';

const SCHEMA_FILE = 'opigno-schema.graphql';

/** Same rule as the companion applies: opaque ids with a strict character set and length. */
export const USER_UUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export const VIOLATIONS = {
  uuidEmpty: 'The uuid may not be empty',
  uuidInvalid: 'The uuid must be 1 to 128 characters from A-Z a-z 0-9 . _ : @ - and start with a letter or digit',
  displayNameTooLong: 'The displayName may not be longer than 255 characters',
  notAllowed: 'The application may not act on this user',
  notFound: 'User context not found',
} as const;

const CATALOG_LIMITS = { defaultSize: 20, maxSize: 100 };
const PROGRESS_LIMITS = { defaultSize: 50, maxSize: 100 };
const DOCUMENT_CACHE_SIZE = 500;

/** Catalogue status filter labels (as in the Opigno catalogue UI) to the statuses they select. */
const STATUS_LABELS: Record<string, readonly (TrainingStatus | null)[]> = {
  'not started': ['NOT_STARTED', null],
  'in progress': ['IN_PROGRESS'],
  passed: ['PASSED'],
  completed: ['COMPLETED'],
  failed: ['FAILED'],
};

/**
 * From src/ (jest) the schema is beside us in ../opigno; from dist/ it is there when the build
 * copies .graphql assets, else we fall back to the source tree.
 */
export function schemaFilePath(): string {
  const candidates = [join(__dirname, '..', 'opigno', SCHEMA_FILE), join(__dirname, '..', '..', '..', 'src', 'opigno', SCHEMA_FILE)];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0];
}

export function loadOpignoSchema(path: string = schemaFilePath()): GraphQLSchema {
  return buildSchema(readFileSync(path, 'utf8'));
}

export interface GraphqlContext {
  store: SimulatorStore;
  /** the user named by the Opigno-Client-UUID header */
  clientUuid: string;
}

export type PreparedRequest =
  | { ok: true; document: DocumentNode; operationName: string | null; rootFields: string[] }
  | { ok: false; errors: readonly GraphQLError[]; operationName: string | null; rootFields: string[] };

interface UserContextPayload {
  errors: string[];
  response: SimUserContext | null;
}

interface LearningPathNode {
  id: string;
  training: { title: string };
  userEnrolled: boolean;
  certificationEnabled: boolean;
}

type ProgressNode = SimProgress & { title: string | null };

interface FilterInput {
  key?: string | null;
  value?: readonly (string | null)[] | null;
}

interface CatalogArgs extends PageArgs {
  reverse?: boolean | null;
  filters?: readonly (FilterInput | null)[] | null;
}

function collectRootFields(selectionSet: SelectionSetNode, document: DocumentNode, into: Set<string>, seen: Set<string>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) into.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootFields(selection.selectionSet, document, into, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) collectRootFields(fragment.selectionSet, document, into, seen);
    }
  }
}

function describeOperation(
  operation: OperationDefinitionNode | null | undefined,
  document: DocumentNode,
): { operationName: string | null; rootFields: string[] } {
  if (!operation) return { operationName: null, rootFields: [] };
  const fields = new Set<string>();
  collectRootFields(operation.selectionSet, document, fields, new Set());
  return { operationName: operation.name?.value ?? null, rootFields: [...fields] };
}

function learningPathNode(path: Readonly<SimLearningPath>, context: GraphqlContext): LearningPathNode {
  return {
    id: path.id,
    training: { title: path.title },
    userEnrolled: context.store.isEnrolled(context.clientUuid, path.id),
    certificationEnabled: path.certificationEnabled,
  };
}

function catalogFilter(filters: CatalogArgs['filters'], context: GraphqlContext): ((path: Readonly<SimLearningPath>) => boolean) | null {
  const checks: ((path: Readonly<SimLearningPath>) => boolean)[] = [];
  for (const filter of filters ?? []) {
    const key = filter?.key?.toLowerCase();
    const values = (filter?.value ?? []).filter((v): v is string => typeof v === 'string' && v.length > 0);
    if (!key || values.length === 0) continue;
    if (key === 'status') {
      const wanted = new Set(values.flatMap((label) => STATUS_LABELS[label.toLowerCase()] ?? []));
      checks.push((path) => wanted.has(context.store.getProgress(context.clientUuid, path.id)?.status ?? null));
    } else if (key === 'title' || key === 'search' || key === 'keyword') {
      const needles = values.map((v) => v.toLowerCase());
      checks.push((path) => needles.some((needle) => path.title.toLowerCase().includes(needle)));
    } else if (key === 'certificationenabled' || key === 'certification') {
      const wanted = new Set(values.map((v) => v.toLowerCase() === 'true' || v === '1'));
      checks.push((path) => wanted.has(path.certificationEnabled));
    }
    // Unknown keys are ignored, as Opigno ignores facets it does not have.
  }
  return checks.length === 0 ? null : (path) => checks.every((check) => check(path));
}

function mapPage<T, U>(page: Page<T>, map: (node: T) => U): Page<U> {
  return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: map(edge.node) })) };
}

/** Resolvers of the root fields; nested fields use graphql-js's default property resolver. */
function rootValue() {
  return {
    getUserContext(args: { uuid: string }, context: GraphqlContext): UserContextPayload {
      const user = context.store.getUser(args.uuid);
      return user ? { errors: [], response: user } : { errors: [VIOLATIONS.notFound], response: null };
    },

    getLearningPath(args: { lpId: string }, context: GraphqlContext): LearningPathNode | null {
      const path = context.store.getLearningPath(args.lpId);
      return path ? learningPathNode(path, context) : null;
    },

    getCatalogData(args: CatalogArgs, context: GraphqlContext): Page<LearningPathNode> {
      const all = context.store.listLearningPaths();
      const keep = catalogFilter(args.filters, context);
      let items = keep ? all.filter(keep) : all;
      const compare = args.reverse ? (a: string, b: string) => compareIds(b, a) : compareIds;
      if (args.reverse) items = [...items].reverse();
      const page = paginate(items, args, { kind: 'catalog', keyOf: (p) => p.id, compare, limits: CATALOG_LIMITS });
      return mapPage(page, (path) => learningPathNode(path, context));
    },

    getUserTrainingProgress(args: PageArgs, context: GraphqlContext): Page<ProgressNode> {
      const records = context.store.listProgress(context.clientUuid);
      const page = paginate(records, args, { kind: 'progress', keyOf: (r) => r.lpId, compare: compareIds, limits: PROGRESS_LIMITS });
      return mapPage(page, (record) => ({ ...record, title: context.store.getLearningPath(record.lpId)?.title ?? null }));
    },

    setUserContext(
      args: { uuid: string; displayName?: string | null; isActive?: boolean | null; scope?: UserContextScope | null },
      context: GraphqlContext,
    ): UserContextPayload {
      const errors: string[] = [];
      if (args.uuid.length === 0) errors.push(VIOLATIONS.uuidEmpty);
      else if (!USER_UUID_PATTERN.test(args.uuid)) errors.push(VIOLATIONS.uuidInvalid);
      if (typeof args.displayName === 'string' && args.displayName.length > 255) errors.push(VIOLATIONS.displayNameTooLong);
      if (args.uuid !== context.clientUuid) errors.push(VIOLATIONS.notAllowed);
      if (errors.length > 0) return { errors, response: null };
      // An omitted argument keeps the stored value; an explicit null clears it (isActive: null keeps).
      const user = context.store.upsertUser({
        uuid: args.uuid,
        displayName: args.displayName,
        isActive: args.isActive ?? undefined,
        scope: args.scope,
      });
      return { errors: [], response: user };
    },
  };
}

/** Parses, validates (both cached by document text) and executes requests against the schema. */
export class SimulatorGraphql {
  private readonly root = rootValue();
  private readonly documents = new Map<string, { document: DocumentNode | null; errors: readonly GraphQLError[] }>();

  constructor(
    private readonly store: SimulatorStore,
    private readonly schema: GraphQLSchema = loadOpignoSchema(),
  ) {}

  prepare(query: string, operationName?: string | null): PreparedRequest {
    let entry = this.documents.get(query);
    if (!entry) {
      try {
        const document = parse(query);
        entry = { document, errors: validate(this.schema, document) };
      } catch (error: unknown) {
        if (!(error instanceof GraphQLError)) throw error;
        entry = { document: null, errors: [error] };
      }
      // A crude bound: benchmarks send few distinct documents, fuzzers many.
      if (this.documents.size >= DOCUMENT_CACHE_SIZE) this.documents.clear();
      this.documents.set(query, entry);
    }
    if (!entry.document) return { ok: false, errors: entry.errors, operationName: null, rootFields: [] };
    const described = describeOperation(getOperationAST(entry.document, operationName ?? undefined), entry.document);
    if (entry.errors.length > 0) return { ok: false, errors: entry.errors, ...described };
    return { ok: true, document: entry.document, ...described };
  }

  async execute(
    prepared: Extract<PreparedRequest, { ok: true }>,
    request: { variables?: Record<string, unknown> | null; operationName?: string | null; clientUuid: string },
  ): Promise<ExecutionResult> {
    const contextValue: GraphqlContext = { store: this.store, clientUuid: request.clientUuid };
    return execute({
      schema: this.schema,
      document: prepared.document,
      rootValue: this.root,
      contextValue,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
    });
  }
}
