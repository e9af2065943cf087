import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional } from '../../../common/http/optional';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';

export class ListLearningPathsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Also list paths the catalogue no longer has' })
  @Optional()
  @IsIn(['true', 'false'])
  includeRemoved?: 'true' | 'false';
}

export class LearningPathDto {
  @ApiProperty({ example: '42' }) lpId!: string;
  @ApiProperty({ example: 'Workplace Safety 42' }) title!: string;
  @ApiProperty() certificationEnabled!: boolean;
  @ApiProperty({ description: 'When the upstream catalogue last confirmed these values' }) syncedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When a full sync found the path gone from the catalogue' })
  removedAt!: string | null;
}

export class LearningPathPageDto {
  @ApiProperty({ type: [LearningPathDto] }) items!: LearningPathDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
