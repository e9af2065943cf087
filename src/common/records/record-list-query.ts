import { FieldDefinition, FieldType, mayRead } from '../../fields/field-definition';
import type { KindDefinitions } from '../../fields/field-definitions.cache';
import { BadRequestError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, invalidCursor } from '../pagination/cursor';
import { FilterOperator, ListQuery, META_SORT_KEYS, RawFilter } from './list-query';
import type { RecordKindSpec } from './record-kind';
import type { ListedRow } from './record-rows.repository';
import { IndexColumn, indexColumnOf, indexValueOfFilter, prefixUpperBound } from './search-index-values';
import type { SqlParameter } from './sql-dialect';

/** The SQL pieces of a filtered, sorted, keyset-paginated list, answered from the search index. */
export interface ListSql {
  /** The FROM clause; the record table is `r`, a search index row joined to it `s`. */
  from: string;
  where: string[];
  orderBy: string;
  /** Selected besides the record's columns: where the row sorts (`sort_missing`, and the sort value when sorting by a field). */
  sortColumns: string;
  parameters: SqlParameter[];
  /**
   * True when the filters keep only records named in the search index and the order is a record timestamp, but the
   * index cannot deliver the page in that order: the page is best found among the matching ids before reading rows.
   */
  pageFromMatchingIds: boolean;
  /** The cursor that continues after this row. */
  cursorAfter(row: ListedRow): string;
}

const OPERATORS_BY_TYPE: Record<FieldType, readonly FilterOperator[]> = {
  string: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix'],
  email: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix'],
  url: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix'],
  enum: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix'],
  integer: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'],
  datetime: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'],
  boolean: ['eq', 'ne', 'in'],
  multi_enum: ['eq', 'ne', 'in'],
  text: [],
  json: [],
};

const COMPARISON: Partial<Record<FilterOperator, string>> = { eq: '=', ne: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Builds the list query. Filters: `eq` on a multi_enum means "contains"; `ne` matches records without
 * that value (including records without the field). Sorting by a field puts records without it last.
 */
export function buildListSql(spec: RecordKindSpec, definitions: KindDefinitions, query: ListQuery, role: string): ListSql {
  const id = `r.${spec.idColumn}`;
  const filters = query.filters.map((filter) => resolveFilter(definitions, filter, role));
  const { key, descending } = query.sort;
  const signature = `${descending ? '-' : ''}${key}`;
  const [after, direction] = descending ? ['<', 'DESC'] : ['>', 'ASC'];
  const position = query.cursor === undefined ? undefined : decodePosition(query.cursor, signature);

  if (key === 'createdAt' && filters.length === 1 && filters[0]!.operator === 'eq') {
    // Index rows of one value are kept in creation order: the page is read from the index in order, joined to its rows.
    const [{ definition, column, values }] = filters as [ResolvedFilter];
    const where = [`s.kind = ? AND s.field_key = ? AND s.${column} = ?`];
    const parameters: SqlParameter[] = [spec.kind, definition.key, values[0]!];
    if (position) {
      if (typeof position.v !== 'string') throw invalidCursor();
      where.push(`(s.record_created_at, s.record_id) ${after} (?, ?)`);
      parameters.push(position.v, position.id);
    }
    return {
      from: `record_search_index s JOIN ${spec.table} r ON ${id} = s.record_id`,
      where,
      orderBy: `s.record_created_at ${direction}, s.record_id ${direction}`,
      sortColumns: ', 0 AS sort_missing',
      parameters,
      pageFromMatchingIds: false,
      cursorAfter: (row) => encodeCursor({ s: signature, v: row.created_at, id: row.id }),
    };
  }

  const where: string[] = [];
  const whereParameters: SqlParameter[] = [];
  for (const filter of filters) {
    const { sql, parameters } = filterSql(spec, filter, id);
    where.push(sql);
    whereParameters.push(...parameters);
  }
  const narrowedBySearchIndex = filters.length > 0 && filters.every((filter) => filter.operator !== 'ne');

  if ((META_SORT_KEYS as readonly string[]).includes(key)) {
    const column = key === 'createdAt' ? 'r.created_at' : 'r.updated_at';
    if (position) {
      if (typeof position.v !== 'string') throw invalidCursor();
      where.push(`(${column} ${after} ? OR (${column} = ? AND ${id} ${after} ?))`);
      whereParameters.push(position.v, position.v, position.id);
    }
    return {
      from: `${spec.table} r`,
      where,
      orderBy: `${column} ${direction}, ${id} ${direction}`,
      sortColumns: ', 0 AS sort_missing',
      parameters: whereParameters,
      pageFromMatchingIds: narrowedBySearchIndex,
      cursorAfter: (row) => encodeCursor({ s: signature, v: key === 'createdAt' ? row.created_at : row.updated_at, id: row.id }),
    };
  }

  const definition = definitions.get(key);
  if (!definition || definition.status !== 'active' || !definition.searchable || !mayRead(definition, role)) {
    throw new BadRequestError('field_not_searchable', `Cannot sort by ${key}: it is not a searchable field.`, [
      { field: 'sort', code: 'field_not_searchable', message: `${key} is not searchable` },
    ]);
  }
  if (definition.type === 'multi_enum') {
    throw new BadRequestError('invalid_sort', 'Cannot sort by a multi_enum field.', [
      { field: 'sort', code: 'invalid_sort', message: 'multi_enum fields hold several values' },
    ]);
  }
  const value = `s.${indexColumnOf(definition.type)}`;
  const missing = 'CASE WHEN s.record_id IS NULL THEN 1 ELSE 0 END';
  if (position) {
    if (position.m === 1) {
      where.push(`(s.record_id IS NULL AND ${id} ${after} ?)`);
      whereParameters.push(position.id);
    } else if (position.m === 0 && (typeof position.v === 'string' || typeof position.v === 'number')) {
      where.push(`(s.record_id IS NULL OR ${value} ${after} ? OR (${value} = ? AND ${id} ${after} ?))`);
      whereParameters.push(position.v, position.v, position.id);
    } else {
      throw invalidCursor();
    }
  }
  return {
    from: `${spec.table} r LEFT JOIN record_search_index s ON s.kind = ? AND s.field_key = ? AND s.record_id = ${id}`,
    where,
    orderBy: `${missing} ASC, ${value} ${direction}, ${id} ${direction}`,
    sortColumns: `, s.value_text AS sort_text, s.value_num AS sort_num, ${missing} AS sort_missing`,
    parameters: [spec.kind, key, ...whereParameters],
    pageFromMatchingIds: false,
    cursorAfter: (row) => encodeCursor({ s: signature, m: row.sortMissing, v: row.sortValue, id: row.id }),
  };
}

function decodePosition(cursor: string, signature: string): { v?: unknown; m?: unknown; id: string } {
  const position = decodeCursor(cursor);
  if (position.s !== signature || typeof position.id !== 'string') throw invalidCursor();
  return position as { v?: unknown; m?: unknown; id: string };
}

interface ResolvedFilter {
  definition: FieldDefinition;
  operator: FilterOperator;
  column: IndexColumn;
  /** The filter's values as the search index holds them. */
  values: Array<string | number>;
}

/** Checks a filter against the field it names and turns its values into what the search index holds. */
function resolveFilter(definitions: KindDefinitions, filter: RawFilter, role: string): ResolvedFilter {
  const parameter = `filter[${filter.key}]`;
  const definition = definitions.get(filter.key);
  if (!definition || definition.status !== 'active' || !definition.searchable || !mayRead(definition, role)) {
    throw new BadRequestError('field_not_searchable', `${filter.key} is not a searchable field.`, [
      { field: parameter, code: 'field_not_searchable', message: 'is not a searchable field' },
    ]);
  }
  if (!OPERATORS_BY_TYPE[definition.type].includes(filter.operator)) {
    throw new BadRequestError('invalid_filter_operator', `${filter.operator} does not apply to ${definition.type} fields.`, [
      { field: parameter, code: 'invalid_filter_operator', message: `${filter.operator} does not apply to type ${definition.type}` },
    ]);
  }
  const values = filter.values.map((raw) => {
    const value = indexValueOfFilter(definition.type, raw);
    if (value === null) {
      throw new BadRequestError('invalid_filter_value', `The value for ${parameter} is not a valid ${definition.type}.`, [
        { field: parameter, code: 'invalid_filter_value', message: `must be a valid ${definition.type}` },
      ]);
    }
    return value;
  });
  return { definition, operator: filter.operator, column: indexColumnOf(definition.type), values };
}

function filterSql(
  spec: RecordKindSpec,
  { definition, operator, column, values }: ResolvedFilter,
  id: string,
): { sql: string; parameters: SqlParameter[] } {
  let condition: string;
  let conditionParameters: SqlParameter[] = values;
  if (operator === 'in') {
    condition = `${column} IN (${values.map(() => '?').join(', ')})`;
  } else if (operator === 'prefix') {
    const upper = prefixUpperBound(String(values[0]));
    condition = upper === null ? `${column} IS NOT NULL` : `${column} >= ? AND ${column} < ?`;
    conditionParameters = upper === null ? [] : [values[0]!, upper];
  } else {
    condition = `${column} ${COMPARISON[operator]!} ?`;
  }
  const membership = operator === 'ne' ? 'NOT IN' : 'IN';
  return {
    sql: `${id} ${membership} (SELECT record_id FROM record_search_index WHERE kind = ? AND field_key = ? AND ${condition})`,
    parameters: [spec.kind, definition.key, ...conditionParameters],
  };
}
