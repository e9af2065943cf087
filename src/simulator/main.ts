import { readFileSync } from 'fs';
import { startSimulator } from './simulator';
import { CliUsageError, SIMULATOR_USAGE, SimulatorCli, parseSimulatorArgs } from './simulator-cli';
import { parseSimulatorSeed } from './simulator-seed';

async function main(argv: readonly string[]): Promise<void> {
  let cli: SimulatorCli;
  try {
    cli = parseSimulatorArgs(argv);
  } catch (error: unknown) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${SIMULATOR_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (cli.help) {
    process.stdout.write(SIMULATOR_USAGE);
    return;
  }
  if (cli.seedFile !== undefined) {
    cli.options.seed = parseSimulatorSeed(JSON.parse(readFileSync(cli.seedFile, 'utf8')) as unknown);
  }

  const simulator = await startSimulator(cli.options);
  const counts = simulator.store.counts();
  process.stdout.write(
    `Opigno simulator listening on ${simulator.url} ` +
      `(client key "${cli.options.clientKey}", ${counts.users} users, ${counts.learningPaths} learning paths, ${counts.progress} progress records)\n`,
  );

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`Simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
