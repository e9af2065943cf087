import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, ValidateBy, ValidationOptions } from 'class-validator';
import type { JsonObject } from '../../common/records/merge-patch';
import { TRAINING_STATUSES } from '../../opigno/opigno.types';

/** Refuses any value for an attribute that only the upstream may change. */
function ReadOnlyUpstreamAttribute(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'read_only',
      validator: {
        validate: (value: unknown) => value === undefined,
        defaultMessage: (args) => `${args?.property} is owned by Opigno and read-only: it changes only by refresh, sync or webhook`,
      },
    },
    options,
  );
}

export class PatchTrainingRecordDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Enrolment field values (JSON Merge Patch), as defined under /v1/admin/fields/enrolment',
  })
  @IsObject()
  fields!: JsonObject;

  @ReadOnlyUpstreamAttribute() status?: unknown;
  @ReadOnlyUpstreamAttribute() progress?: unknown;
  @ReadOnlyUpstreamAttribute() score?: unknown;
  @ReadOnlyUpstreamAttribute() title?: unknown;
  @ReadOnlyUpstreamAttribute() registeredAt?: unknown;
  @ReadOnlyUpstreamAttribute() completedAt?: unknown;
  @ReadOnlyUpstreamAttribute() timeSpent?: unknown;
  @ReadOnlyUpstreamAttribute() syncedAt?: unknown;
}

export class TrainingRecordDto {
  @ApiProperty() uuid!: string;
  @ApiProperty() lpId!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Upstream: learning path title' }) title!: string | null;
  @ApiPropertyOptional({ enum: TRAINING_STATUSES, nullable: true, description: 'Upstream' }) status!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Upstream: 0–100' }) progress!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Upstream: 0–100 or null' }) score!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Upstream' }) registeredAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Upstream' }) completedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Upstream: seconds' }) timeSpent!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the upstream part was last read' }) syncedAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Local enrolment field values' }) fields!: JsonObject;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TrainingRecordPageDto {
  @ApiProperty({ type: [TrainingRecordDto] }) items!: TrainingRecordDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TrainingRecordChangeDto {
  @ApiProperty() lpId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'attribute → { old, new }' }) changes!: Record<
    string,
    { old: unknown; new: unknown }
  >;
}

export class RefreshResultDto {
  @ApiProperty() uuid!: string;
  @ApiProperty({ type: [String], description: 'lpIds of records created' }) added!: string[];
  @ApiProperty({ type: [TrainingRecordChangeDto] }) updated!: TrainingRecordChangeDto[];
  @ApiProperty({ description: 'Records whose upstream state did not change' }) unchanged!: number;
  @ApiProperty({ type: [String], description: 'Local records the upstream no longer lists (kept, with their local values)' })
  missingUpstream!: string[];
  @ApiProperty() syncedAt!: string;
}
