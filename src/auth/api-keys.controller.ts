import { Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/openapi/problem.schema';
import { ApiKeysService } from './api-keys.service';
import { Roles } from './auth.decorators';
import { ApiKeySummaryDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { ValidBody } from '../common/http/validation';

@ApiTags('admin: api keys')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin')
@Controller('v1/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblems(400, 422)
  create(@ValidBody() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(body.role, body.label);
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeySummaryDto] })
  list(): Promise<ApiKeySummaryDto[]> {
    return this.apiKeys.list();
  }

  @Delete(':id')
  @ApiOkResponse({ type: ApiKeySummaryDto, description: 'The key, now revoked' })
  @ApiProblems(400, 404)
  revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeySummaryDto> {
    return this.apiKeys.revoke(id);
  }
}
