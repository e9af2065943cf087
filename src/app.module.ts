import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ApiKeyGuard } from './auth/api-key.guard';
import { FieldsModule } from './fields/fields.module';
import { ProfilesModule } from './profiles/profiles.module';
import { AuthModule } from './auth/auth.module';
import { ProblemFilter } from './common/filters/problem.filter';
import { FixedWindowThrottlerStorage } from './common/http/fixed-window-throttler.storage';
import { RateLimitGuard } from './common/http/rate-limit.guard';
import { companionConfigModule } from './config/config.module';
import { serverConfig, ServerConfig } from './config/configuration';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { buildLoggerOptions } from './logging/logger-options';
import { MetricsModule } from './metrics/metrics.module';
import { OpignoModule } from './opigno/opigno.module';
import { SyncModule } from './sync/sync.module';
import { TrainingsModule } from './trainings/trainings.module';
import { CombinedReadsModule } from './combined-reads/combined-reads.module';
import { IdentityModule } from './identity/identity.module';
import { RequestWithCaller } from './auth/auth.decorators';

export interface AppModuleOptions {
  /** Where logs go (tests capture them); stdout when absent. */
  logStream?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        companionConfigModule(),
        LoggerModule.forRootAsync({
          inject: [serverConfig.KEY],
          useFactory: (config: ServerConfig) => buildLoggerOptions(config, options.logStream),
        }),
        ThrottlerModule.forRootAsync({
          inject: [serverConfig.KEY],
          useFactory: (config: ServerConfig) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
            storage: new FixedWindowThrottlerStorage(),
            setHeaders: false,
            getTracker: (req: Record<string, unknown>) => {
              const request = req as unknown as RequestWithCaller;
              return request.caller?.keyId ?? request.ip;
            },
          }),
        }),
        DatabaseModule,
        MetricsModule,
        HealthModule,
        AuthModule,
        FieldsModule,
        ProfilesModule,
        OpignoModule,
        SyncModule,
        TrainingsModule,
        CombinedReadsModule,
        IdentityModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
