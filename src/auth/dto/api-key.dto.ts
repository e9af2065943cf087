import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, Role } from '../roles';

export class CreateApiKeyDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
  @ApiProperty({ example: 'learner portal backend' }) @IsString() @MinLength(1) @MaxLength(200) label!: string;
}

export class ApiKeySummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'oc_AbC1234' }) prefix!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() label!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeySummaryDto {
  @ApiProperty({ description: 'The key itself. Shown only in this answer; store it now.' }) key!: string;
}
