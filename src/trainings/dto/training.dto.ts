import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ImportTotalsDto } from '../../profiles/dto/profile.dto';
import type { JsonObject } from '../../common/records/merge-patch';

const FIELDS_DESCRIPTION = 'Custom field values by key, as defined under /v1/admin/fields/training';

export class TrainingDto {
  @ApiProperty({ example: '42', description: 'Opigno learning path id (opaque)' }) lpId!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: FIELDS_DESCRIPTION,
    example: { cost_centre: 'CC-104', cpd_credits: 6 },
  })
  fields!: JsonObject;
  @ApiProperty({ description: 'Sent as the ETag "<version>"; bumped by every change' }) version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TrainingPageDto {
  @ApiProperty({ type: [TrainingDto] }) items!: TrainingDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TrainingImportLineResultDto {
  @ApiProperty({ description: '1-based line number in the NDJSON body' }) line!: number;
  @ApiProperty({ nullable: true, type: String }) lpId!: string | null;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged', 'invalid'] }) status!: string;
  @ApiPropertyOptional({ description: 'Why an invalid line was refused', type: 'array', items: { type: 'object' } }) errors?: unknown[];
}

export class TrainingImportReportDto {
  @ApiProperty({ type: [TrainingImportLineResultDto] }) results!: TrainingImportLineResultDto[];
  @ApiProperty({ type: ImportTotalsDto }) totals!: ImportTotalsDto;
}
