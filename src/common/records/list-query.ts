import { BadRequestError } from '../errors/domain-error';
import { parsePageLimit } from '../pagination/cursor';

export const FILTER_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Record metadata a list can be sorted by, besides searchable fields. */
export const META_SORT_KEYS = ['createdAt', 'updatedAt'] as const;
export type MetaSortKey = (typeof META_SORT_KEYS)[number];

export interface RawFilter {
  key: string;
  operator: FilterOperator;
  /** As written in the query; `in` lists are split on commas. */
  values: string[];
}

export interface ListQuery {
  filters: RawFilter[];
  sort: { key: string; descending: boolean };
  limit: number;
  cursor?: string;
}

const FILTER_PARAMETER = /^filter\[([^\][]+)\](?:\[([^\][]+)\])?$/;
const SORT_PARAMETER = /^-?[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * Parses `filter[key]=v&filter[key][gte]=v&sort=-key&limit=50&cursor=…` from a raw query string.
 * Fastify's default query parser does not nest bracketed keys, so lists read the raw string.
 */
export function parseListQuery(queryString: string, defaultSort = 'createdAt'): ListQuery {
  const query: ListQuery = { filters: [], sort: { key: defaultSort, descending: false }, limit: parsePageLimit(undefined) };
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(queryString)) {
    const filter = FILTER_PARAMETER.exec(name);
    if (filter) {
      query.filters.push(parseFilter(name, filter[1]!, filter[2] ?? 'eq', value));
      continue;
    }
    if (seen.has(name)) throw badParameter(name, 'duplicate_parameter', `${name} may be given once`);
    seen.add(name);
    switch (name) {
      case 'sort':
        if (!SORT_PARAMETER.test(value))
          throw badParameter('sort', 'invalid_sort', 'must be a field key or createdAt/updatedAt, optionally prefixed with -');
        query.sort = { key: value.replace(/^-/, ''), descending: value.startsWith('-') };
        break;
      case 'limit':
        query.limit = parsePageLimit(value);
        break;
      case 'cursor':
        query.cursor = value;
        break;
      default:
        throw badParameter(name, 'unknown_parameter', 'is not a known query parameter (filter[key][op], sort, limit, cursor)');
    }
  }
  return query;
}

function parseFilter(parameter: string, key: string, operator: string, value: string): RawFilter {
  if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
    throw badParameter(parameter, 'invalid_filter_operator', `operator must be one of ${FILTER_OPERATORS.join(', ')}`);
  }
  const values = operator === 'in' ? value.split(',') : [value];
  if (operator === 'in' && (values.length > 100 || values.some((v) => v.length === 0))) {
    throw badParameter(parameter, 'invalid_filter_value', 'in takes 1 to 100 non-empty comma-separated values');
  }
  return { key, operator: operator as FilterOperator, values };
}

function badParameter(field: string, code: string, message: string): BadRequestError {
  return new BadRequestError(code, `${field} ${message}.`, [{ field, code, message }]);
}
