import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
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

export class WriteTrainingDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: FIELDS_DESCRIPTION }) @IsObject() fields!: JsonObject;
}

export class TrainingPageDto {
  @ApiProperty({ type: [TrainingDto] }) items!: TrainingDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
