import { Controller, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { ApiProblems } from '../common/openapi/problem.schema';
import { AnonymizeResultDto } from './dto/identity.dto';
import { CreateUserContextDto, UpdateUserContextDto, UserContextDto } from './dto/user-context.dto';
import { PrivacyService } from './privacy.service';
import { UserContextsService } from './user-contexts.service';
import { ValidBody } from '../common/http/validation';

const UUID_PARAM = { name: 'uuid', description: 'Opigno user UUID (opaque; anon-… allowed)' };

@ApiTags('user contexts')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1/user-contexts')
export class UserContextsController {
  constructor(
    private readonly contexts: UserContextsService,
    private readonly privacy: PrivacyService,
  ) {}

  @Post()
  @ApiCreatedResponse({
    type: UserContextDto,
    description: 'Created upstream (200 when it already existed); anonymous: the generated anon-… uuid',
  })
  @ApiOkResponse({ type: UserContextDto, description: 'Updated an existing context' })
  @ApiProblems(400, 422, 502, 503)
  async create(@ValidBody() body: CreateUserContextDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserContextDto> {
    const { context, created } = await this.contexts.create(body);
    void reply.status(created ? 201 : 200);
    return context;
  }

  @Get(':uuid')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: UserContextDto, description: 'Read from Opigno, with the local link' })
  @ApiProblems(400, 404, 502, 503)
  get(@Param('uuid') uuid: string): Promise<UserContextDto> {
    return this.contexts.get(uuid);
  }

  @Patch(':uuid')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: UserContextDto, description: 'displayName and/or isActive changed upstream (isActive false deactivates)' })
  @ApiProblems(400, 404, 422, 502, 503)
  update(@Param('uuid') uuid: string, @ValidBody() body: UpdateUserContextDto): Promise<UserContextDto> {
    return this.contexts.update(uuid, body);
  }

  @Post(':uuid/anonymize')
  @HttpCode(200)
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: AnonymizeResultDto, description: 'Neutral display name upstream; personal-data fields cleared locally' })
  @ApiProblems(400, 404, 422, 502, 503)
  anonymize(@Param('uuid') uuid: string, @CurrentCaller() caller: Caller): Promise<AnonymizeResultDto> {
    return this.privacy.anonymize(uuid, caller);
  }
}
