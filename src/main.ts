import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { serverConfig } from './config/configuration';
import { EnvironmentError } from './config/environment';

async function bootstrap(): Promise<void> {
  const config = serverConfig();
  const app = await createApp();
  const logger = new Logger('Bootstrap');
  await app.listen({ port: config.port, host: config.host });
  logger.log(`opigno-companion listening on http://${config.host}:${config.port} (docs at /docs)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: no new connections, finishing in-flight requests`);
    // A request that outlives the grace period must not keep the process alive forever.
    const forced = setTimeout(() => {
      logger.error(`In-flight work did not finish within ${config.shutdownGraceMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownGraceMs);
    forced.unref();
    // Keep-alive connections that finish their last request become idle after close() began; close those too.
    const server = app.getHttpServer();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    idleSweep.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

bootstrap().catch((error: unknown) => {
  const message =
    error instanceof EnvironmentError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`opigno-companion failed to start: ${message}\n`);
  process.exit(1);
});
