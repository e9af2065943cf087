import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { documentFileName, DocumentsError, JOINT_USER_READ, OpignoDocuments } from './opigno-documents';

describe('OpignoDocuments', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opigno-docs-spec-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names files after their operation', () => {
    expect(documentFileName('getUserTrainingProgress')).toBe('get-user-training-progress.graphql');
  });

  it('loads the bundled documents with their operation names and kinds', () => {
    const documents = OpignoDocuments.load();
    expect(documents.get('setUserContext')).toMatchObject({ operationName: 'SetUserContext', kind: 'mutation' });
    expect(documents.get('getCatalogData')).toMatchObject({ operationName: 'GetCatalogData', kind: 'query' });
    expect(documents.overridden()).toEqual([]);
  });

  it('takes a file from the override directory in place of the bundled one, and only that file', () => {
    writeFileSync(join(dir, 'get-learning-path.graphql'), 'query Mine($lpId: ID!) { getLearningPath(lpId: $lpId) { id } }');
    const documents = OpignoDocuments.load(dir);
    expect(documents.get('getLearningPath')).toMatchObject({ operationName: 'Mine', file: join(dir, 'get-learning-path.graphql') });
    expect(documents.get('getUserContext').operationName).toBe('GetUserContext');
    expect(documents.overridden()).toEqual([join(dir, 'get-learning-path.graphql')]);
  });

  it('refuses a document that does not parse or holds two operations, and a missing directory', () => {
    writeFileSync(join(dir, 'get-user-context.graphql'), 'query {');
    expect(() => OpignoDocuments.load(dir)).toThrow(DocumentsError);
    writeFileSync(join(dir, 'get-user-context.graphql'), 'query A { x } query B { y }');
    expect(() => OpignoDocuments.load(dir)).toThrow('exactly one operation');
    expect(() => OpignoDocuments.load(join(dir, 'missing'))).toThrow('does not exist');
  });

  it('merges the context and progress documents into one query with both root fields and all their variables', () => {
    const joint = OpignoDocuments.load().get(JOINT_USER_READ);
    expect(joint).toMatchObject({ operationName: 'GetUserContextWithTrainingProgress', kind: 'query' });
    const operation = parse(joint.text).definitions[0] as import('graphql').OperationDefinitionNode;
    expect(operation.variableDefinitions!.map((v) => v.variable.name.value)).toEqual(['uuid', 'first', 'after']);
    expect(operation.selectionSet.selections.map((s) => (s as import('graphql').FieldNode).name.value)).toEqual([
      'getUserContext',
      'getUserTrainingProgress',
    ]);
  });

  it('builds the merged query from replaced documents, fragments included', () => {
    writeFileSync(
      join(dir, 'get-user-context.graphql'),
      'query Mine($uuid: String!) { getUserContext(uuid: $uuid) { ...Payload } } fragment Payload on UserContextPayload { errors }',
    );
    const joint = OpignoDocuments.load(dir).get(JOINT_USER_READ);
    expect(joint.text).toContain('fragment Payload on UserContextPayload');
    expect(joint.file).toBe(`${join(dir, 'get-user-context.graphql')} + ${OpignoDocuments.load().get('getUserTrainingProgress').file}`);
    expect(OpignoDocuments.load(dir).overridden()).toEqual([join(dir, 'get-user-context.graphql')]);
  });

  it('refuses replaced documents that cannot be merged: one variable of two types, or a root field selected twice', () => {
    writeFileSync(
      join(dir, 'get-user-context.graphql'),
      'query A($uuid: String!, $first: String) { getUserContext(uuid: $uuid) { errors } }',
    );
    expect(() => OpignoDocuments.load(dir)).toThrow('$first is String in one and Int in the other');
    writeFileSync(
      join(dir, 'get-user-context.graphql'),
      'query A($uuid: String!) { getUserContext(uuid: $uuid) { errors } getUserTrainingProgress { totalItems } }',
    );
    expect(() => OpignoDocuments.load(dir)).toThrow('both select getUserTrainingProgress');
  });
});
