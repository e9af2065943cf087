import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DefinitionNode,
  DocumentNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  parse,
  print,
  SelectionNode,
  VariableDefinitionNode,
} from 'graphql';

/** Every upstream operation, by its root field; each has one document file `documents/<kebab-case>.graphql`. */
export const OPIGNO_OPERATIONS = [
  'getUserContext',
  'setUserContext',
  'getLearningPath',
  'getCatalogData',
  'getUserTrainingProgress',
] as const;
export type OpignoOperation = (typeof OPIGNO_OPERATIONS)[number];

/**
 * A user's context and the first page of their training progress in one request: the two read documents
 * merged at startup (so an operator's replacement of either is included), named GetUserContextWithTrainingProgress.
 */
export const JOINT_USER_READ = 'getUserContextWithTrainingProgress';
export type OpignoCall = OpignoOperation | typeof JOINT_USER_READ;

export interface OpignoDocument {
  operation: OpignoCall;
  /** the text sent as `query` */
  text: string;
  /** sent as `operationName` when the document names its operation */
  operationName: string | null;
  kind: 'query' | 'mutation';
  /** the file it came from (for logs); a merged document names its sources joined by ' + ' */
  file: string;
  /** the parsed text, for merging */
  ast: DocumentNode;
}

export class DocumentsError extends Error {}

export const BUNDLED_DOCUMENTS_DIR = join(__dirname, 'documents');

export function documentFileName(operation: OpignoOperation): string {
  return `${operation.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}.graphql`;
}

function isOperation(definition: DefinitionNode): definition is OperationDefinitionNode {
  return definition.kind === Kind.OPERATION_DEFINITION;
}

function readDocument(operation: OpignoOperation, file: string): OpignoDocument {
  const text = readFileSync(file, 'utf8');
  let ast: DocumentNode;
  try {
    ast = parse(text);
  } catch (error: unknown) {
    const reason = error instanceof GraphQLError ? error.message : String(error);
    throw new DocumentsError(`The Opigno document ${file} does not parse: ${reason}`);
  }
  const operations = ast.definitions.filter(isOperation);
  if (operations.length !== 1)
    throw new DocumentsError(`The Opigno document ${file} must hold exactly one operation (it holds ${operations.length}).`);
  const definition = operations[0]!;
  if (definition.operation === 'subscription') throw new DocumentsError(`The Opigno document ${file} may not be a subscription.`);
  return { operation, text, operationName: definition.name?.value ?? null, kind: definition.operation, file, ast };
}

function responseKey(selection: SelectionNode): string | null {
  return selection.kind === Kind.FIELD ? (selection.alias ?? selection.name).value : null;
}

/**
 * One query asking what both queries ask: their variables, root selections and fragments side by side. Refused when
 * the two would clash (a variable of two types, a root field or fragment name in both), which only replaced documents can do.
 */
function mergeQueries(operation: OpignoCall, operationName: string, parts: OpignoDocument[]): OpignoDocument {
  const files = parts.map((part) => part.file).join(' + ');
  const refuse = (reason: string): never => {
    throw new DocumentsError(`The Opigno documents ${files} cannot be sent as one request: ${reason}.`);
  };
  const variables = new Map<string, VariableDefinitionNode>();
  const selections: SelectionNode[] = [];
  const responseKeys = new Set<string>();
  const fragments = new Map<string, DefinitionNode>();
  for (const part of parts) {
    if (part.kind !== 'query') refuse(`${part.file} is not a query`);
    for (const definition of part.ast.definitions) {
      if (!isOperation(definition)) {
        const name = 'name' in definition && definition.name ? definition.name.value : print(definition);
        if (fragments.has(name)) refuse(`both define ${name}`);
        fragments.set(name, definition);
        continue;
      }
      for (const variable of definition.variableDefinitions ?? []) {
        const name = variable.variable.name.value;
        const known = variables.get(name);
        if (known && print(known.type) !== print(variable.type))
          refuse(`$${name} is ${print(known.type)} in one and ${print(variable.type)} in the other`);
        variables.set(name, variable);
      }
      for (const selection of definition.selectionSet.selections) {
        const key = responseKey(selection);
        if (key !== null && responseKeys.has(key)) refuse(`both select ${key}`);
        if (key !== null) responseKeys.add(key);
        selections.push(selection);
      }
    }
  }
  const merged: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: { kind: Kind.NAME, value: operationName },
    variableDefinitions: [...variables.values()],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  const ast: DocumentNode = { kind: Kind.DOCUMENT, definitions: [merged, ...fragments.values()] };
  return { operation, text: print(ast), operationName, kind: 'query', file: files, ast };
}

/**
 * The GraphQL documents, read once at startup. A file in `overrideDir` (OPIGNO_DOCUMENTS_DIR) replaces the bundled one
 * of the same name, so an operator can adapt a query to their Opigno without a release; answers must keep the bundled shapes.
 */
export class OpignoDocuments {
  private constructor(private readonly byOperation: ReadonlyMap<OpignoCall, OpignoDocument>) {}

  static load(overrideDir?: string, bundledDir: string = BUNDLED_DOCUMENTS_DIR): OpignoDocuments {
    if (overrideDir !== undefined && !existsSync(overrideDir))
      throw new DocumentsError(`OPIGNO_DOCUMENTS_DIR ${overrideDir} does not exist.`);
    const documents = new Map<OpignoCall, OpignoDocument>();
    for (const operation of OPIGNO_OPERATIONS) {
      const name = documentFileName(operation);
      const override = overrideDir === undefined ? undefined : join(overrideDir, name);
      const file = override !== undefined && existsSync(override) ? override : join(bundledDir, name);
      if (!existsSync(file)) throw new DocumentsError(`The Opigno document ${name} is missing (looked in ${file}).`);
      documents.set(operation, readDocument(operation, file));
    }
    const jointParts = [documents.get('getUserContext')!, documents.get('getUserTrainingProgress')!];
    documents.set(JOINT_USER_READ, mergeQueries(JOINT_USER_READ, 'GetUserContextWithTrainingProgress', jointParts));
    return new OpignoDocuments(documents);
  }

  get(operation: OpignoCall): OpignoDocument {
    return this.byOperation.get(operation)!;
  }

  /** Files taken from the override directory. */
  overridden(bundledDir: string = BUNDLED_DOCUMENTS_DIR): string[] {
    return OPIGNO_OPERATIONS.map((operation) => this.get(operation).file).filter((file) => !file.startsWith(bundledDir));
  }
}
