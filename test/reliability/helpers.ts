import type { ApiAnswer, TestApp } from '../support/test-app';

export interface OperationParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
}

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  /** the template, e.g. /v1/profiles/{uuid} */
  path: string;
  parameters: OperationParameter[];
  /** request body media types, e.g. ['application/json'] */
  bodyTypes: string[];
  /** the $ref name of the application/json body schema, when there is one */
  bodySchema: string | undefined;
  /** true when the document names no bearer security for it */
  public: boolean;
  /** statuses the document declares */
  responses: number[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> };
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

export async function fetchOpenApi(t: TestApp): Promise<OpenApiDocument> {
  const answer = await t.request<OpenApiDocument>('GET', '/docs/openapi.json', { key: null });
  if (answer.status !== 200) throw new Error(`GET /docs/openapi.json answered ${answer.status}`);
  return answer.body;
}

export function listOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const content: Record<string, any> = operation.requestBody?.content ?? {};
      const ref: string | undefined = content['application/json']?.schema?.$ref;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, required: Boolean(p.required) })),
        bodyTypes: Object.keys(content),
        bodySchema: ref?.split('/').pop(),
        public: !(operation.security ?? []).some((s: Record<string, unknown>) => 'bearer' in s),
        responses: Object.keys(operation.responses ?? {}).map(Number),
      });
    }
  }
  return operations;
}

export const isWrite = (method: string): boolean => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);

/** Fills a path template from a map of (already encoded) segment values. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return value;
  });
}

/** What is wrong with an error answer, or null when it is a proper problem document. */
export function problemDefect(answer: ApiAnswer): string | null {
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) return `content-type ${JSON.stringify(type)} is not application/problem+json`;
  const body = answer.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return 'body is not a JSON object';
  if (typeof body.code !== 'string' || body.code.length === 0) return 'no string code';
  if (body.status !== answer.status) return `body status ${String(body.status)} differs from HTTP status ${answer.status}`;
  return null;
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` answers true or the time is up; answers the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
