import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { OPIGNO_USER_UUID_PATTERN, USER_CONTEXT_SCOPES, UserContextScope } from '../../opigno/opigno.types';
import { Optional } from '../../common/http/optional';

export class CreateUserContextDto {
  @ApiPropertyOptional({ description: 'Create an anonymous context: the companion generates an anon-… uuid', example: false })
  @Optional()
  @IsBoolean()
  anonymous?: boolean;

  @ApiPropertyOptional({ example: '5b2f0d0e-3c52-4a63-9d57-0f3f4b1e2a10' })
  @Optional()
  @IsString()
  @Matches(OPIGNO_USER_UUID_PATTERN, { message: 'uuid must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -' })
  uuid?: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  displayName?: string;

  @ApiPropertyOptional({ enum: USER_CONTEXT_SCOPES, default: 'AUTHENTICATED' })
  @Optional()
  @IsIn(USER_CONTEXT_SCOPES)
  scope?: UserContextScope;

  @ApiPropertyOptional({ default: true })
  @Optional()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdateUserContextDto {
  @ApiPropertyOptional({ example: 'Ada King' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  displayName?: string;

  @ApiPropertyOptional({ description: 'false deactivates the context (Opigno unpublishes the user content)' })
  @Optional()
  @IsBoolean()
  isActive?: boolean;
}

export class UserContextDto {
  @ApiProperty() uuid!: string;
  @ApiProperty({ description: "Opigno's numeric userContextId" }) opignoId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty() isActive!: boolean;
  @ApiPropertyOptional({ enum: USER_CONTEXT_SCOPES, nullable: true }) scope!: UserContextScope | null;
  @ApiProperty() anonymous!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the local link was created' }) linkedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) syncedAt!: string | null;
}
