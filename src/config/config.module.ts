import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { allConfigNamespaces } from './configuration';
import { validateEnvironment } from './environment';

/** Validates the environment at boot and exposes one typed namespace per concern. Built per app, so tests can vary the environment. */
export function companionConfigModule(): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    cache: false,
    validate: (raw) => {
      validateEnvironment(raw as Record<string, string | undefined>);
      return raw;
    },
    load: allConfigNamespaces,
  });
}
