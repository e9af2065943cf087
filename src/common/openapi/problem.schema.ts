import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'fields.birth_date' }) field!: string;
  @ApiProperty({ example: 'invalid_type' }) code!: string;
  @ApiProperty({ example: 'must be a date (YYYY-MM-DD)' }) message!: string;
}

/** RFC 9457 problem details, as every error is answered. */
export class ProblemDto {
  @ApiProperty({ example: 'https://opigno-companion.dev/problems/validation_failed' }) type!: string;
  @ApiProperty({ example: 'Unprocessable entity' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiPropertyOptional() detail?: string;
  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' }) code!: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (bad JSON, bad parameter syntax)',
  401: 'Missing, unknown or revoked API key',
  403: "The API key's role may not use this route",
  404: 'Not found',
  409: 'Conflict with the current state',
  412: 'If-Match does not match the current version',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Invalid values (errors[] lists each field)',
  428: 'Precondition required',
  429: 'Rate limited (see Retry-After)',
  502: 'Upstream rejected or answered badly',
  503: 'Upstream unavailable',
};

/** Documents problem+json answers for the given statuses (401/403/429 are added for every secured route). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
