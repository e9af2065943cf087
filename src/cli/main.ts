import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';

/** `npm run cli -- <command>`: operator commands (API keys, sync runs). */
async function run(): Promise<void> {
  await CommandFactory.run(CliModule, { logger: ['error', 'warn'], errorHandler: (error) => fail(error) });
}

function fail(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

run().catch(fail);
