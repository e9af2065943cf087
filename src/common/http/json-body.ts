import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../errors/domain-error';

/** Deeper bodies are refused: validators and merge patches walk values recursively. */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses values no caller needs and some stores cannot keep: nesting beyond MAX_JSON_DEPTH, and
 * U+0000 in any string or key (PostgreSQL text cannot hold it, so SQLite and PostgreSQL would differ).
 * Iterative, so a hostile body cannot exhaust the stack while being checked.
 */
export function assertAcceptableJson(value: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) throw nulCharacter();
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new BadRequestError('json_too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\u0000')) throw nulCharacter();
      stack.push({ value: child, depth: depth + 1 });
    }
  }
}

function nulCharacter(): BadRequestError {
  return new BadRequestError('invalid_character', 'The request contains the character U+0000, which is not accepted.');
}

/** JSON bodies (application/json and merge-patch+json): Fastify's safe parser (prototype keys refused), then the checks above. */
export function registerJsonParsers(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  const checked: typeof parse = (request, body, done) =>
    parse(request, body, (error, value) => {
      if (error) return done(error, undefined);
      try {
        assertAcceptableJson(value);
      } catch (refusal) {
        return done(refusal as Error, undefined);
      }
      done(null, value);
    });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, checked);
  fastify.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, checked);
}

/** Query strings: the last value of a repeated key wins, and no key can reach Object.prototype. */
export function parseQueryString(raw: string): Record<string, string> {
  const query = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(raw)) query[key] = value;
  return query;
}
