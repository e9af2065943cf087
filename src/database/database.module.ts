import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from '../config/configuration';
import { buildDataSourceOptions } from './data-source-options';
import { TransactionRunner } from './transaction-runner';
import { WalCheckpoints } from './wal-checkpoints';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...buildDataSourceOptions(config),
        migrationsRun: true,
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [TransactionRunner, WalCheckpoints],
  exports: [TransactionRunner, WalCheckpoints],
})
export class DatabaseModule {}
