import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentFileName, DocumentsError, OpignoDocuments } from './opigno-documents';

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
});
