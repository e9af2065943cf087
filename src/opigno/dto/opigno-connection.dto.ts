import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import type { CircuitState, ConnectionSource } from '../opigno.types';
import { Optional } from '../../common/http/optional';

const SOURCES: ConnectionSource[] = ['config', 'database', 'simulator'];
const CIRCUIT_STATES: CircuitState[] = ['closed', 'open', 'half_open'];

export class UpdateConnectionDto {
  @ApiProperty({ example: 'https://learn.example.com', description: 'Base URL of the Opigno instance (http or https, no query)' })
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    { message: 'baseUrl must be an http(s) URL without credentials' },
  )
  @Matches(/^[^?#]*$/, { message: 'baseUrl may not have a query or fragment' })
  baseUrl!: string;

  @ApiProperty({ example: 'companion-app' })
  @IsString()
  @MaxLength(512)
  @Matches(/^\S(.*\S)?$/, { message: 'clientKey may not be empty or start or end with whitespace' })
  clientKey!: string;

  @ApiPropertyOptional({
    writeOnly: true,
    description: 'Write-only; stored encrypted. Omit to keep the stored secret (only while the base URL stays on the same host).',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  clientSecret?: string;

  @ApiPropertyOptional({ example: '/graphql', description: 'Path of the GraphQL endpoint; default: the stored or configured one' })
  @Optional()
  @IsString()
  @MaxLength(255)
  @Matches(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { message: 'graphqlPath must be a URL path starting with /' })
  graphqlPath?: string;
}

export class TokenStatusDto {
  @ApiProperty({ description: 'A token is cached and not expired' }) cached!: boolean;
  @ApiProperty({ nullable: true, type: String, example: '2026-11-22T21:00:00.000Z' }) expiresAt!: string | null;
}

export class ConnectionDto {
  @ApiProperty({ description: 'Upstream calls can be made (a base URL and both credentials are known)' }) configured!: boolean;
  @ApiProperty({
    enum: SOURCES,
    description: 'database: set by an admin; config: OPIGNO_* variables; simulator: the development simulator',
  })
  source!: ConnectionSource;
  @ApiProperty({ nullable: true, type: String, example: 'https://learn.example.com' }) baseUrl!: string | null;
  @ApiProperty({ example: '/graphql' }) graphqlPath!: string;
  @ApiProperty({ nullable: true, type: String }) clientKey!: string | null;
  @ApiProperty({ description: 'A client secret is known (it is never shown)' }) secretSet!: boolean;
  @ApiProperty({ type: TokenStatusDto }) token!: TokenStatusDto;
  @ApiProperty({ enum: CIRCUIT_STATES }) circuit!: CircuitState;
  @ApiProperty({ nullable: true, type: String, description: 'When an admin last stored the connection' }) updatedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why upstream calls cannot be made, if they cannot' }) problem!: string | null;
}

export class ConnectionTestDto {
  @ApiProperty({ enum: [true] }) ok!: true;
  @ApiProperty({ description: 'Lifetime of the fresh token in seconds', example: 3600 }) expiresIn!: number;
}
