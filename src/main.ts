import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { serverConfig } from './config/configuration';
import { EnvironmentError } from './config/environment';

async function bootstrap(): Promise<void> {
  const config = serverConfig();
  const app = await createApp();
  await app.listen({ port: config.port, host: config.host });
  new Logger('Bootstrap').log(`opigno-companion listening on http://${config.host}:${config.port} (docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof EnvironmentError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`opigno-companion failed to start: ${message}\n`);
  process.exit(1);
});
