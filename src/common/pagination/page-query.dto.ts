import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { Optional } from '../http/optional';

/** `limit` and `cursor` of a paged list; parsed by parsePageLimit and the list's own cursor. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page size, 1 to 200 (default 50)' })
  @Optional()
  @Matches(/^\d{1,6}$/)
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @Optional()
  @IsString()
  cursor?: string;
}
