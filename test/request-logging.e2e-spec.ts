import { AppWithUpstream, startAppWithSimulator } from './support/upstream';

interface LogLine {
  level: number;
  msg: string;
  req?: { id: string; method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

describe('request logging', () => {
  let env: AppWithUpstream;
  const lines = (): LogLine[] =>
    env.t.logs
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    env = await startAppWithSimulator();
  });
  afterAll(() => env.close());

  it('ends every request with one "request completed" line, its level set by the status', async () => {
    const found = await env.t.request('GET', '/health/live', { key: null });
    const refused = await env.t.request('GET', '/v1/profiles/someone', { key: null });
    const byId = (id: string | null): LogLine[] => lines().filter((l) => l.msg === 'request completed' && l.req?.id === id);
    expect(byId(found.headers.get('x-request-id'))).toEqual([
      expect.objectContaining({ level: 30, req: { id: expect.any(String), method: 'GET', url: '/health/live' }, res: { statusCode: 200 } }),
    ]);
    expect(byId(refused.headers.get('x-request-id'))).toEqual([expect.objectContaining({ level: 40, res: { statusCode: 401 } })]);
  });
});
