import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { documentFileName, OPIGNO_OPERATIONS } from '../src/opigno/opigno-documents';

const OPIGNO_DIR = join(__dirname, '..', 'src', 'opigno');
const DOCUMENTS_DIR = join(OPIGNO_DIR, 'documents');
const schema = buildSchema(readFileSync(join(OPIGNO_DIR, 'opigno-schema.graphql'), 'utf8'));
const files = readdirSync(DOCUMENTS_DIR).filter((name) => name.endsWith('.graphql'));

describe('Opigno query documents', () => {
  it('ships exactly one document per operation', () => {
    expect(files.sort()).toEqual(OPIGNO_OPERATIONS.map(documentFileName).sort());
  });

  it.each(files)('%s validates against opigno-schema.graphql', (file) => {
    const document = parse(readFileSync(join(DOCUMENTS_DIR, file), 'utf8'));
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
  });

  it.each(OPIGNO_OPERATIONS)('the %s document selects its operation as the root field', (operation) => {
    const text = readFileSync(join(DOCUMENTS_DIR, documentFileName(operation)), 'utf8');
    const definition = parse(text).definitions[0]!;
    expect(definition.kind).toBe('OperationDefinition');
    const selections = definition.kind === 'OperationDefinition' ? definition.selectionSet.selections : [];
    expect(selections.map((s) => (s.kind === 'Field' ? s.name.value : s.kind))).toEqual([operation]);
  });
});
