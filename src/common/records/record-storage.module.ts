import { Module } from '@nestjs/common';
import { FieldValuesMaintenance } from './field-values.maintenance';
import { RecordKindsRegistry } from './record-kinds.registry';
import { RecordRowsRepository } from './record-rows.repository';
import { SearchIndexRepository } from './search-index.repository';
import { SqlDialect } from './sql-dialect';

/** Kind-independent storage of extended records: rows, search index, the kinds registry. */
@Module({
  providers: [SqlDialect, RecordRowsRepository, SearchIndexRepository, RecordKindsRegistry, FieldValuesMaintenance],
  exports: [SqlDialect, RecordRowsRepository, SearchIndexRepository, RecordKindsRegistry, FieldValuesMaintenance],
})
export class RecordStorageModule {}
