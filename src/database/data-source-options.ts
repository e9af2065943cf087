import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/configuration';
import { allEntities } from './entities';
import { allMigrations } from './migrations';

/** The one definition of the database connection, shared by the app and ormconfig.ts. */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: allEntities,
    migrations: allMigrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (config.engine === 'postgres') {
    return { ...common, type: 'postgres', url: config.url, extra: { max: config.poolSize } };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.path,
    enableWAL: true,
    timeout: 5000, // busy_timeout: wait for a competing writer instead of failing
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a process crash (SIGKILL); FULL also survives power loss.
      db.pragma(`synchronous = ${config.synchronous}`);
      db.pragma('foreign_keys = ON');
    },
  };
}
