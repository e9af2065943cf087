import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { OPIGNO_USER_UUID_PATTERN } from '../../opigno/opigno.types';
import { PROFILE_PARTS, ProfilePart } from '../combined-reads.service';
import { Optional } from '../../common/http/optional';

export class PartReportDto {
  @ApiProperty({ enum: ['ok', 'unavailable', 'not_found'] }) status!: string;
  @ApiPropertyOptional({ description: 'Served from cache after an upstream failure' }) stale?: boolean;
  @ApiPropertyOptional({ description: 'Seconds since the upstream answered this data' }) age?: number;
  @ApiPropertyOptional({ example: 'upstream_unavailable' }) code?: string;
  @ApiPropertyOptional({ description: 'Seconds after which a retry may succeed' }) retryAfter?: number;
  @ApiPropertyOptional({ enum: ['upstream', 'local'], description: 'trainings: where the progress figures come from' }) source?: string;
}

export class UpstreamMetaDto {
  @ApiPropertyOptional({ type: PartReportDto }) context?: PartReportDto;
  @ApiPropertyOptional({ type: PartReportDto }) trainings?: PartReportDto;
}

export class CombinedMetaDto {
  @ApiProperty({ type: UpstreamMetaDto }) upstream!: UpstreamMetaDto;
}

export class UserContextPartDto {
  @ApiProperty() uuid!: string;
  @ApiProperty({ description: "Opigno's numeric userContextId" }) opignoId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty() isActive!: boolean;
  @ApiPropertyOptional({ nullable: true, enum: ['AUTHENTICATED', 'ADMINISTRATOR'] }) scope!: string | null;
}

export class LocalFieldsDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) fields!: Record<string, unknown>;
  @ApiProperty() version!: number;
}

export class EnrolmentPartDto extends LocalFieldsDto {
  @ApiPropertyOptional({ nullable: true, type: String }) syncedAt!: string | null;
}

export class CombinedTrainingDto {
  @ApiProperty() lpId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) title!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, enum: ['not_started', 'in_progress', 'completed', 'passed', 'failed'] }) status!:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) progress!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) score!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) registeredAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) completedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) timeSpent!: number | null;
  @ApiPropertyOptional({ type: LocalFieldsDto, nullable: true, description: 'Local extended training fields' })
  training!: LocalFieldsDto | null;
  @ApiPropertyOptional({ type: EnrolmentPartDto, nullable: true, description: 'Local enrolment values of this user' })
  enrolment!: EnrolmentPartDto | null;
}

export class CombinedProfileDto {
  @ApiProperty() uuid!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Local profile fields the caller may read ({} when no local profile exists)',
  })
  fields!: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'null when no local profile exists yet' }) version!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) createdAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) updatedAt!: string | null;
  @ApiPropertyOptional({ type: UserContextPartDto, nullable: true, description: 'include=context' }) context?: UserContextPartDto | null;
  @ApiPropertyOptional({ type: [CombinedTrainingDto], description: 'include=trainings' }) trainings?: CombinedTrainingDto[];
  @ApiPropertyOptional({ type: CombinedMetaDto, description: 'Present with include: how each upstream part went' }) meta?: CombinedMetaDto;
}

export class BatchGetDto {
  @ApiProperty({ type: [String], maxItems: 100, description: 'Opigno user UUIDs (1 to 100, unique)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(OPIGNO_USER_UUID_PATTERN, { each: true, message: 'each uuid must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -' })
  uuids!: string[];

  @ApiPropertyOptional({ type: [String], enum: PROFILE_PARTS })
  @Optional()
  @IsArray()
  @IsIn(PROFILE_PARTS, { each: true })
  include?: ProfilePart[];

  @ApiPropertyOptional({ description: 'Fail an item (502/503) instead of reporting upstream failures in meta' })
  @Optional()
  @IsBoolean()
  strict?: boolean;
}

export class BatchItemProblemDto {
  @ApiProperty() code!: string;
  @ApiProperty() detail!: string;
}

export class BatchItemDto {
  @ApiProperty() uuid!: string;
  @ApiProperty({ description: 'What a single GET would have answered: 200, 404, 502, 503' }) status!: number;
  @ApiPropertyOptional({ type: CombinedProfileDto }) profile?: CombinedProfileDto;
  @ApiPropertyOptional({ type: BatchItemProblemDto }) problem?: BatchItemProblemDto;
}

export class BatchGetAnswerDto {
  @ApiProperty({ type: [BatchItemDto] }) items!: BatchItemDto[];
}

export class LearningPathPartDto {
  @ApiPropertyOptional({ nullable: true, type: String }) title!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) certificationEnabled!: boolean | null;
}

export class CombinedTrainingAnswerDto {
  @ApiProperty() lpId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) fields!: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: Number }) version!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) createdAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) updatedAt!: string | null;
  @ApiPropertyOptional({ type: LearningPathPartDto, nullable: true, description: 'include=upstream' })
  upstream?: LearningPathPartDto | null;
  @ApiPropertyOptional({ description: 'meta.upstream.upstream reports the upstream part' }) meta?: Record<string, unknown>;
}
