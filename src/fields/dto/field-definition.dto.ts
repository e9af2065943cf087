import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import type { JsonValue } from '../../common/records/merge-patch';
import {
  FIELD_KEY_PATTERN,
  FIELD_KINDS,
  FIELD_ROLES,
  FIELD_STATUSES,
  FIELD_TYPES,
  FieldKind,
  FieldRole,
  FieldStatus,
  FieldType,
} from '../field-definition';

const DEFAULT_DESCRIPTION = 'Default value on create; must be valid for the type. null in PATCH removes it.';

export class CreateFieldDefinitionDto {
  @ApiProperty({ example: 'birth_date', pattern: FIELD_KEY_PATTERN.source }) @IsString() @Matches(FIELD_KEY_PATTERN) key!: string;
  @ApiProperty({ example: 'Birth date', maxLength: 200 }) @IsString() @MinLength(1) @MaxLength(200) label!: string;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) description?:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'Identity', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  group?: string | null;
  @ApiPropertyOptional({ example: 10 }) @IsOptional() @IsInt() order?: number;
  @ApiProperty({ enum: FIELD_TYPES, description: 'Changing the type converts stored values (all or nothing; see dryRun).' })
  @IsIn(FIELD_TYPES)
  type!: FieldType;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) @IsOptional() @IsBoolean() required?: boolean | null;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0 }) @IsOptional() @IsInt() @Min(0) minLength?: number | null;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0 }) @IsOptional() @IsInt() @Min(0) maxLength?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) min?:
    number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) max?:
    number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'ECMAScript regular expression (u flag), at most 200 characters' })
  @IsOptional()
  @IsString()
  pattern?: string | null;
  @ApiPropertyOptional({ nullable: true, type: [String], description: 'Required for enum and multi_enum' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  options?: string[] | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) @IsOptional() @IsBoolean() unique?: boolean | null;
  @ApiPropertyOptional({ description: DEFAULT_DESCRIPTION }) @IsOptional() default?: JsonValue;
  @ApiPropertyOptional({
    description: 'Personal data: never sent upstream, in privacy exports, removed by erase, never logged or audited with values',
  })
  @IsOptional()
  @IsBoolean()
  pii?: boolean;
  @ApiPropertyOptional({ enum: FIELD_ROLES, isArray: true, description: 'admin may always read' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(FIELD_ROLES.length)
  @IsIn(FIELD_ROLES, { each: true })
  readRoles?: FieldRole[];
  @ApiPropertyOptional({ enum: FIELD_ROLES, isArray: true, description: 'admin may always write' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(FIELD_ROLES.length)
  @IsIn(FIELD_ROLES, { each: true })
  writeRoles?: FieldRole[];
  @ApiPropertyOptional({ description: 'Filterable and sortable in list queries (indexed)' })
  @IsOptional()
  @IsBoolean()
  searchable?: boolean;
  @ApiPropertyOptional({ enum: FIELD_STATUSES, description: 'archived hides the field from reads and writes and keeps its values' })
  @IsOptional()
  @IsIn(FIELD_STATUSES)
  status?: FieldStatus;
}

/** The parts of a definition that PATCH may change (null removes an optional attribute or constraint). */
export class UpdateFieldDefinitionDto extends PartialType(OmitType(CreateFieldDefinitionDto, ['key'] as const)) {}

export class RenameFieldDto {
  @ApiProperty({ example: 'date_of_birth', pattern: FIELD_KEY_PATTERN.source }) @IsString() @Matches(FIELD_KEY_PATTERN) newKey!: string;
}

export class FieldDefinitionDto {
  @ApiProperty({ enum: FIELD_KINDS }) kind!: FieldKind;
  @ApiProperty({ example: 'birth_date' }) key!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String }) group!: string | null;
  @ApiProperty() order!: number;
  @ApiProperty({ enum: FIELD_TYPES }) type!: FieldType;
  @ApiPropertyOptional() required?: boolean;
  @ApiPropertyOptional() minLength?: number;
  @ApiPropertyOptional() maxLength?: number;
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional() pattern?: string;
  @ApiPropertyOptional({ type: [String] }) options?: string[];
  @ApiPropertyOptional() unique?: boolean;
  @ApiPropertyOptional({ description: DEFAULT_DESCRIPTION }) default?: JsonValue;
  @ApiProperty() pii!: boolean;
  @ApiProperty({ enum: FIELD_ROLES, isArray: true }) readRoles!: FieldRole[];
  @ApiProperty({ enum: FIELD_ROLES, isArray: true }) writeRoles!: FieldRole[];
  @ApiProperty() searchable!: boolean;
  @ApiProperty({ enum: FIELD_STATUSES }) status!: FieldStatus;
  @ApiProperty({ description: 'Bumped by every change' }) version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ConversionOffenderDto {
  @ApiProperty({ description: 'Record id' }) id!: string;
  @ApiProperty({ nullable: true, description: 'The stored value' }) value!: JsonValue | null;
  @ApiProperty({ example: 'cannot be converted to integer' }) reason!: string;
}

export class FieldChangePreviewDto {
  @ApiProperty({ description: 'Stored values that would not be valid after the change' }) wouldFail!: number;
  @ApiProperty({ description: 'Stored values that would be converted (e.g. "42" → 42)' }) wouldConvert!: number;
  @ApiProperty({ type: [ConversionOffenderDto], description: 'Up to 50 offenders' }) sample!: ConversionOffenderDto[];
}

export class FieldDeletionDto {
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'Stored values removed by ?purge=true' }) removedValues!: number;
}

export class FieldDefinitionHistoryEntryDto {
  @ApiProperty() version!: number;
  @ApiProperty({ example: 'updated', enum: ['created', 'updated', 'renamed', 'deleted'] }) change!: string;
  @ApiProperty({ nullable: true, type: String, description: 'API key id' }) changedBy!: string | null;
  @ApiProperty() changedAt!: string;
  @ApiProperty({ type: FieldDefinitionDto, description: 'The definition after the change' }) definition!: FieldDefinitionDto;
}
