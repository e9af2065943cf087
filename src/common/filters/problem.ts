import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, ErrorKind, FieldError } from '../errors/domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://opigno-companion.dev/problems/';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemAnswer {
  status: number;
  body: ProblemDocument;
  headers: Record<string, string>;
  /** True when the error was not expected and must be logged with its stack. */
  unexpected: boolean;
}

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  precondition_required: 428,
  unprocessable: 422,
  rate_limited: 429,
  bad_gateway: 502,
  unavailable: 503,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  412: 'version_mismatch',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal',
  502: 'upstream_error',
  503: 'unavailable',
};

function titleOf(status: number): string {
  const name = HttpStatus[status];
  if (typeof name !== 'string') return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');
}

function problem(status: number, code: string, detail: string | undefined, extra?: Partial<ProblemDocument>): ProblemDocument {
  // Core members come last: an extension may never overwrite status, code or type.
  return { ...extra, type: PROBLEM_TYPE_BASE + code, title: titleOf(status), status, detail, code };
}

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function frameworkCode(error: FrameworkError, status: number): string {
  const code = error.code ?? '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'payload_too_large';
  if (code === 'FST_ERR_BAD_URL') return 'invalid_url';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return status === 415 ? 'unsupported_media_type' : 'bad_request';
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError)
    return 'malformed_json';
  if (code === 'FST_ERR_CTP_INVALID_TYPE' || code === 'FST_ERR_CTP_INVALID_HANDLER') return 'unsupported_media_type';
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_request');
}

/** Turns any thrown value into one RFC 9457 problem answer. */
export function toProblem(error: unknown): ProblemAnswer {
  if (error instanceof DomainError) {
    const status = STATUS_BY_KIND[error.kind];
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    return {
      status,
      headers,
      unexpected: false,
      body: problem(status, error.code, error.message, { ...(error.extensions ?? {}), ...(error.errors ? { errors: error.errors } : {}) }),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? error.message);
    let detail = Array.isArray(message) ? message.join('; ') : String(message);
    const cause = error.cause as FrameworkError | undefined;
    const code =
      cause && typeof cause.code === 'string'
        ? frameworkCode(cause, status)
        : status === 404
          ? 'not_found'
          : (CODE_BY_STATUS[status] ?? 'error');
    if (code === 'malformed_json') detail = 'The request body is not valid JSON.';
    return { status, headers: {}, unexpected: status >= 500, body: problem(status, code, status >= 500 ? 'Internal error.' : detail) };
  }
  const framework = error as FrameworkError;
  if (framework && typeof framework.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    const status = framework.statusCode;
    const code = frameworkCode(framework, status);
    const detail = code === 'malformed_json' ? 'The request body is not valid JSON.' : framework.message;
    return {
      status: code === 'malformed_json' ? 400 : status,
      headers: {},
      unexpected: false,
      body: problem(code === 'malformed_json' ? 400 : status, code, detail),
    };
  }
  return {
    status: 500,
    headers: {},
    unexpected: true,
    body: problem(500, 'internal', 'An unexpected error occurred. Quote the request id when reporting it.'),
  };
}
