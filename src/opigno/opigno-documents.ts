import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLError, Kind, OperationDefinitionNode, parse } from 'graphql';

/** Every upstream operation, by its root field; each has one document file `documents/<kebab-case>.graphql`. */
export const OPIGNO_OPERATIONS = [
  'getUserContext',
  'setUserContext',
  'getLearningPath',
  'getCatalogData',
  'getUserTrainingProgress',
] as const;
export type OpignoOperation = (typeof OPIGNO_OPERATIONS)[number];

export interface OpignoDocument {
  operation: OpignoOperation;
  /** the text sent as `query` */
  text: string;
  /** sent as `operationName` when the document names its operation */
  operationName: string | null;
  kind: 'query' | 'mutation';
  /** the file it came from (for logs) */
  file: string;
}

export class DocumentsError extends Error {}

export const BUNDLED_DOCUMENTS_DIR = join(__dirname, 'documents');

export function documentFileName(operation: OpignoOperation): string {
  return `${operation.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}.graphql`;
}

function readDocument(operation: OpignoOperation, file: string): OpignoDocument {
  const text = readFileSync(file, 'utf8');
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(text).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch (error: unknown) {
    const reason = error instanceof GraphQLError ? error.message : String(error);
    throw new DocumentsError(`The Opigno document ${file} does not parse: ${reason}`);
  }
  if (operations.length !== 1)
    throw new DocumentsError(`The Opigno document ${file} must hold exactly one operation (it holds ${operations.length}).`);
  const definition = operations[0]!;
  if (definition.operation === 'subscription') throw new DocumentsError(`The Opigno document ${file} may not be a subscription.`);
  return { operation, text, operationName: definition.name?.value ?? null, kind: definition.operation, file };
}

/**
 * The GraphQL documents, read once at startup. A file in `overrideDir` (OPIGNO_DOCUMENTS_DIR) replaces the bundled one
 * of the same name, so an operator can adapt a query to their Opigno without a release; answers must keep the bundled shapes.
 */
export class OpignoDocuments {
  private constructor(private readonly byOperation: ReadonlyMap<OpignoOperation, OpignoDocument>) {}

  static load(overrideDir?: string, bundledDir: string = BUNDLED_DOCUMENTS_DIR): OpignoDocuments {
    if (overrideDir !== undefined && !existsSync(overrideDir))
      throw new DocumentsError(`OPIGNO_DOCUMENTS_DIR ${overrideDir} does not exist.`);
    const documents = new Map<OpignoOperation, OpignoDocument>();
    for (const operation of OPIGNO_OPERATIONS) {
      const name = documentFileName(operation);
      const override = overrideDir === undefined ? undefined : join(overrideDir, name);
      const file = override !== undefined && existsSync(override) ? override : join(bundledDir, name);
      if (!existsSync(file)) throw new DocumentsError(`The Opigno document ${name} is missing (looked in ${file}).`);
      documents.set(operation, readDocument(operation, file));
    }
    return new OpignoDocuments(documents);
  }

  get(operation: OpignoOperation): OpignoDocument {
    return this.byOperation.get(operation)!;
  }

  /** Files taken from the override directory. */
  overridden(bundledDir: string = BUNDLED_DOCUMENTS_DIR): string[] {
    return [...this.byOperation.values()].filter((d) => !d.file.startsWith(bundledDir)).map((d) => d.file);
  }
}
