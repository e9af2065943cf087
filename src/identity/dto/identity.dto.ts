import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { UserContextDto } from './user-context.dto';

export class IdentifyDto {
  @ApiProperty({ example: 'anon-3f2a9c0d4b6e41d7a1c2e3f405162738', description: 'The anonymous id the visitor had before logging in' })
  @IsString()
  @MaxLength(200)
  anonymousId!: string;

  @ApiProperty({ example: '5b2f0d0e-3c52-4a63-9d57-0f3f4b1e2a10', description: 'The identified user it becomes' })
  @IsString()
  @MaxLength(200)
  userId!: string;
}

class IdentifyProfileDto {
  @ApiProperty({ description: 'The user had no local profile and got one' }) created!: boolean;
  @ApiProperty({ type: [String], description: 'Anonymous values that filled gaps' }) movedFields!: string[];
  @ApiProperty({ type: [String], description: 'Keys where both had a value: the identified user kept theirs' }) keptFields!: string[];
}

class IdentifyTrainingsDto {
  @ApiProperty({ type: [String], description: 'Records moved to the user' }) moved!: string[];
  @ApiProperty({ type: [String], description: 'Records both had: the user kept theirs, enrolment gaps filled' }) merged!: string[];
}

class IdentifyUpstreamDto {
  @ApiProperty({ description: 'The anonymous context was deactivated in Opigno' }) deactivated!: boolean;
  @ApiProperty({ description: 'Deactivation failed and is retried by the retry-pending sync job' }) pendingRetry!: boolean;
  @ApiPropertyOptional() code?: string;
}

export class IdentifyResultDto {
  @ApiProperty() anonymousId!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() mergedAt!: string;
  @ApiProperty({ type: IdentifyProfileDto }) profile!: IdentifyProfileDto;
  @ApiProperty({ type: IdentifyTrainingsDto }) trainings!: IdentifyTrainingsDto;
  @ApiProperty({ type: IdentifyUpstreamDto }) upstream!: IdentifyUpstreamDto;
}

export class AliasDto {
  @ApiProperty() anonymousId!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() mergedAt!: string;
  @ApiProperty({ description: 'API key id that made the merge' }) mergedBy!: string;
}

export class AnonymizeResultDto {
  @ApiProperty({ type: UserContextDto }) context!: UserContextDto;
  @ApiProperty({ type: [String], description: 'Personal-data fields cleared locally' }) clearedFields!: string[];
}

export class ErasureReportDto {
  @ApiProperty({ description: 'SHA-256 of the uuid, kept in the tombstone' }) uuidHash!: string;
  @ApiProperty() erasedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Rows removed per kind' }) removed!: Record<
    string,
    number
  >;
  @ApiPropertyOptional({ enum: ['anonymize', 'deactivate'], nullable: true }) upstream!: string | null;
}

export class PrivacyExportDto {
  @ApiProperty() uuid!: string;
  @ApiProperty() exportedAt!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'The stored profile, every field' })
  profile!: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) trainingRecords!: unknown[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) userContext!: unknown;
  @ApiProperty({ type: [AliasDto] }) aliases!: AliasDto[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) pendingUpstreamActions!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Every audit entry about the user' }) auditTrail!: unknown[];
}
