import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** For the API documentation page (/docs), an HTML page with Swagger UI's scripts and styles: helmet's defaults. */
export const DOCS_SECURITY_HEADER_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
    },
  },
};

/**
 * For every JSON answer: the headers OWASP's REST Security cheat sheet lists for APIs. A JSON
 * document loads nothing, so its policy allows nothing ('none'), stricter than the page policy;
 * helmet's headers that only matter to HTML pages (DNS prefetch, IE download options, Flash
 * cross-domain policies, the legacy XSS filter, origin-agent clustering, opener isolation) are
 * left out: six headers instead of twelve on every answer of the hot reads.
 */
export const API_SECURITY_HEADER_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * The headers helmet sets, computed once. @fastify/helmet rebuilds helmet's middleware (and
 * re-parses the CSP) on every request, which cost more than the profile read it protects; the
 * headers are static for this API, so helmet runs once at boot and the result is replayed.
 */
export function computeSecurityHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}
