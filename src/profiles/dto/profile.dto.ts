import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '../../common/records/merge-patch';

const FIELDS_DESCRIPTION = 'Custom field values by key, as defined under /v1/admin/fields/profile';

export class ProfileDto {
  @ApiProperty({ example: '2f1c7d8e-6a0b-4c55-9e21-1f0d7c3b9a10', description: 'Opigno user UUID (opaque; anon-… allowed)' }) uuid!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: FIELDS_DESCRIPTION,
    example: { birth_date: '1990-04-01', team: 'blue' },
  })
  fields!: JsonObject;
  @ApiProperty({ description: 'Sent as the ETag "<version>"; bumped by every change' }) version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ProfilePageDto {
  @ApiProperty({ type: [ProfileDto] }) items!: ProfileDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!:
    string | null;
}

export class ImportLineResultDto {
  @ApiProperty({ description: '1-based line number in the NDJSON body' }) line!: number;
  @ApiProperty({ nullable: true, type: String }) uuid!: string | null;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged', 'invalid'] }) status!: string;
  @ApiPropertyOptional({ description: 'Why an invalid line was refused', type: 'array', items: { type: 'object' } }) errors?: unknown[];
}

export class ImportTotalsDto {
  @ApiProperty() lines!: number;
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() invalid!: number;
}

export class ImportReportDto {
  @ApiProperty({ type: [ImportLineResultDto] }) results!: ImportLineResultDto[];
  @ApiProperty({ type: ImportTotalsDto }) totals!: ImportTotalsDto;
}

export class AuditEventDto {
  @ApiProperty() id!: number;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String, description: 'API key id of the caller' }) actorKeyId!: string | null;
  @ApiProperty({ enum: ['create', 'update', 'delete'] }) action!: string;
  @ApiProperty({ type: [String], description: 'Keys whose values changed (personal-data fields included)' }) changedFields!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'key → { old, new }; never for personal-data (pii) fields' })
  changes!: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
