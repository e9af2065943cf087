import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RecordStorageModule } from '../common/records/record-storage.module';
import { FieldDefinitionsCache } from './field-definitions.cache';
import { FieldDefinitionsRepository } from './field-definitions.repository';
import { FieldsController } from './fields.controller';
import { FieldsService } from './fields.service';

@Module({
  imports: [RecordStorageModule, AuditModule],
  controllers: [FieldsController],
  providers: [FieldDefinitionsRepository, FieldDefinitionsCache, FieldsService],
  exports: [FieldDefinitionsCache],
})
export class FieldsModule {}
