import { CliUsageError, DEFAULT_CLIENT_KEY, DEFAULT_SIMULATOR_PORT, parseSimulatorArgs } from './simulator-cli';

describe('parseSimulatorArgs', () => {
  it('falls back to the development defaults without flags', () => {
    const cli = parseSimulatorArgs([]);
    expect(cli.help).toBe(false);
    expect(cli.options).toMatchObject({ port: DEFAULT_SIMULATOR_PORT, host: '127.0.0.1', clientKey: DEFAULT_CLIENT_KEY, faults: {} });
    expect(cli.options.generate).toBeUndefined();
  });

  it('reads "--flag value" and "--flag=value" forms', () => {
    const cli = parseSimulatorArgs([
      '--port=0',
      '--client-key',
      'k',
      '--client-secret=s',
      '--users',
      '1000',
      '--learning-paths=30',
      '--latency',
      '25',
      '--error-rate=0.5',
      '--token-ttl',
      '60',
      '--seed',
      'seed.json',
      '--webhook-url',
      'http://127.0.0.1:3000/webhooks/opigno',
      '--webhook-secret=w',
    ]);
    expect(cli.seedFile).toBe('seed.json');
    expect(cli.options).toMatchObject({
      port: 0,
      clientKey: 'k',
      clientSecret: 's',
      tokenTtlSeconds: 60,
      faults: { latencyMs: 25, errorRate: 0.5 },
      generate: { users: 1000, learningPaths: 30 },
      webhook: { url: 'http://127.0.0.1:3000/webhooks/opigno', secret: 'w' },
    });
  });

  it.each([
    [['--error-rate', '1.5']],
    [['--port', 'abc']],
    [['--nope', '1']],
    [['--users']],
    [['--learning-paths', '3']],
    [['--webhook-url', 'http://x']],
    [['stray']],
  ])('rejects %j with a usage error', (argv) => {
    expect(() => parseSimulatorArgs(argv)).toThrow(CliUsageError);
  });

  it('recognises --help', () => {
    expect(parseSimulatorArgs(['-h']).help).toBe(true);
  });
});
