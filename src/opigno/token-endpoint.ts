import { OpignoHttp } from './opigno-http';
import { UpstreamAuthError, UpstreamMalformedError, UpstreamUnavailableError } from './opigno.errors';
import type { IssuedToken } from './token-cache';

/** When the token endpoint gives no expires_in (it is only RECOMMENDED by RFC 6749). */
const DEFAULT_EXPIRES_IN_SECONDS = 300;
const OPERATION = 'oauthToken';

export interface ClientCredentials {
  baseUrl: string;
  clientKey: string;
  clientSecret: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** The upstream's own words about a refusal, kept short and never echoing the secret. */
function refusalOf(body: unknown, secret: string): { error?: string; errorDescription?: string } {
  const error = field(body, 'error');
  const description = field(body, 'error_description');
  return {
    error: typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? error : undefined,
    errorDescription: typeof description === 'string' && !description.includes(secret) ? description.slice(0, 300) : undefined,
  };
}

/** OAuth 2.0 client credentials: `POST {base}/oauth/token`, form-encoded. */
export async function requestClientCredentialsToken(http: OpignoHttp, credentials: ClientCredentials): Promise<IssuedToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: credentials.clientKey,
    client_secret: credentials.clientSecret,
  }).toString();
  const answer = await http.post(
    `${credentials.baseUrl}/oauth/token`,
    form,
    { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    OPERATION,
  );
  const body = parseJson(answer.text);

  if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
    const refusal = refusalOf(body, credentials.clientSecret);
    throw new UpstreamAuthError(
      `The Opigno token endpoint refused the client credentials (HTTP ${answer.status}${refusal.error ? `, ${refusal.error}` : ''}).`,
      {
        status: answer.status,
        ...refusal,
      },
    );
  }
  if (answer.status === 429 || answer.status >= 500) {
    throw new UpstreamUnavailableError(
      `The Opigno token endpoint answered HTTP ${answer.status}.`,
      answer.status === 429 ? 'rate_limited' : 'server_error',
      answer.retryAfterSeconds ?? 1,
    );
  }
  if (answer.status !== 200)
    throw new UpstreamMalformedError(`The Opigno token endpoint answered an unexpected HTTP ${answer.status} (is the base URL right?).`);

  const accessToken = field(body, 'access_token');
  const tokenType = field(body, 'token_type');
  const expiresIn = field(body, 'expires_in');
  if (typeof accessToken !== 'string' || accessToken.length === 0)
    throw new UpstreamMalformedError('The Opigno token endpoint answered without an access_token.');
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw new UpstreamMalformedError('The Opigno token endpoint answered a token that is not a bearer token.');
  }
  const seconds = typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  if (seconds === undefined) return { accessToken, expiresInSeconds: DEFAULT_EXPIRES_IN_SECONDS };
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0)
    throw new UpstreamMalformedError('The Opigno token endpoint answered an invalid expires_in.');
  return { accessToken, expiresInSeconds: seconds };
}
