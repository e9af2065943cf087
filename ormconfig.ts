import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseConfig } from './src/config/configuration';
import { buildDataSourceOptions } from './src/database/data-source-options';

/** Used by `npm run migration:run` / `migration:revert`: the same options the app uses. */
export default new DataSource(buildDataSourceOptions(databaseConfig()));
