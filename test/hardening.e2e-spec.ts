import { ApiAnswer, startTestApp, TestApp } from './support/test-app';

describe('rate limiting and CORS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', CORS_ORIGINS: 'https://portal.example.org, https://admin.example.org' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 problem+json with Retry-After once a key exceeds its limit, counting keys apart', async () => {
    const key = await t.createKey('service');
    const statuses: number[] = [];
    let limited: ApiAnswer | undefined;
    for (let i = 0; i < 7; i++) {
      const answer = await t.request('GET', '/v1/profiles/someone', { key });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(limited).toBeDefined();
    expect(limited!.headers.get('content-type')).toContain('application/problem+json');
    expect(limited!.body.code).toBe('rate_limited');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await t.createKey('service');
    expect((await t.request('GET', '/v1/profiles/someone', { key: other })).status).toBe(404);
  });

  it("limits a route served through Nest's pipeline (a list) the same way", async () => {
    const key = await t.createKey('service');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.request('GET', '/v1/profiles', { key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('never rate-limits the health probes', async () => {
    for (let i = 0; i < 8; i++) expect((await t.request('GET', '/health/live', { key: null })).status).toBe(200);
  });

  it('allows configured origins and no others', async () => {
    const allowed = await fetch(`${t.url}/health/live`, { headers: { origin: 'https://portal.example.org' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.example.org');
    const refused = await fetch(`${t.url}/health/live`, { headers: { origin: 'https://evil.example.com' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends the API security headers on every JSON answer', async () => {
    for (const path of ['/health/live', '/v1/profiles/nobody', '/v1/no-such-route']) {
      const answer = await fetch(`${t.url}${path}`);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it('sends the page security headers on the documentation page', async () => {
    const answer = await fetch(`${t.url}/docs`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(answer.headers.get('content-security-policy')).toContain('script-src');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
