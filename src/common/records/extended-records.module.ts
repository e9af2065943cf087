import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { FieldsModule } from '../../fields/fields.module';
import { ExtendedRecordsFactory } from './extended-records.service';
import { RecordStorageModule } from './record-storage.module';

/** Import this in a feature module and call ExtendedRecordsFactory.forKind(spec). */
@Module({
  imports: [FieldsModule, RecordStorageModule, AuditModule],
  providers: [ExtendedRecordsFactory],
  exports: [ExtendedRecordsFactory],
})
export class ExtendedRecordsModule {}
