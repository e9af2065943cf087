import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/auth.decorators';
import { ApiProblems } from '../../common/openapi/problem.schema';
import { parsePageLimit } from '../../common/pagination/cursor';
import { LearningPathDto, LearningPathPageDto, ListLearningPathsQueryDto } from './dto/learning-path.dto';
import { LearningPathsService } from './learning-paths.service';
import { ValidQuery } from '../../common/http/validation';

@ApiTags('learning paths')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1/learning-paths')
export class LearningPathsController {
  constructor(private readonly learningPaths: LearningPathsService) {}

  @Get()
  @ApiOperation({ summary: 'The learning-path catalogue as last synced from Opigno (the `trainings` sync job), by lpId' })
  @ApiOkResponse({ type: LearningPathPageDto })
  @ApiProblems(400, 422)
  list(@ValidQuery() query: ListLearningPathsQueryDto): Promise<LearningPathPageDto> {
    return this.learningPaths.list({
      limit: parsePageLimit(query.limit),
      cursor: query.cursor,
      includeRemoved: query.includeRemoved === 'true',
    });
  }

  @Get(':lpId')
  @ApiOperation({ summary: 'One synced learning path' })
  @ApiOkResponse({ type: LearningPathDto })
  @ApiProblems(404)
  get(@Param('lpId') lpId: string): Promise<LearningPathDto> {
    return this.learningPaths.get(lpId);
  }
}
