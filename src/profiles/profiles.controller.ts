import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { BadRequestError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/openapi/problem.schema';
import { etagOf, parseWritePreconditions } from '../common/records/etag';
import { AuditPageDto, ImportReportDto, ProfileDto, ProfilePageDto, WriteProfileDto } from './dto/profile.dto';
import { ProfilesService, ProfileView } from './profiles.service';

const UUID_PARAM = { name: 'uuid', description: 'Opigno user UUID: ^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$ (anon-… ids allowed)' };
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'Write only if the profile is at this version ("<version>" as sent in ETag)',
};

@ApiTags('profiles')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get('profiles')
  @ApiOkResponse({ type: ProfilePageDto })
  @ApiQuery({
    name: 'filter[<key>]',
    required: false,
    description: 'Equality on a searchable field; operators as filter[<key>][eq|ne|gt|gte|lt|lte|in|prefix]=…, in takes a comma list',
  })
  @ApiQuery({
    name: 'sort',
    required: false,
    description: '<key>, -<key> (searchable fields), createdAt, updatedAt, -createdAt, -updatedAt; default createdAt',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiProblems(400)
  list(@Req() request: FastifyRequest, @CurrentCaller() caller: Caller): Promise<ProfilePageDto> {
    return this.profiles.list(request.url.split('?')[1] ?? '', caller);
  }

  // find-my-way reads "::" as a literal colon, so this is /v1/profiles:import
  @Post('profiles::import')
  @HttpCode(200)
  @ApiConsumes('application/x-ndjson')
  @ApiBody({ description: 'One { "uuid": …, "fields": { … } } per line (upsert, replacing the fields)', schema: { type: 'string' } })
  @ApiOkResponse({ type: ImportReportDto, description: 'Per-line results and totals; valid lines are stored even when others are invalid' })
  @ApiProblems(400, 413, 415)
  import(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ImportReportDto> {
    if (typeof body !== 'string') throw new BadRequestError('ndjson_required', 'Send the import as application/x-ndjson.');
    return this.profiles.import(body, caller);
  }

  @Get('profiles::export')
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'Every profile as one JSON document per line, streamed',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  export(@CurrentCaller() caller: Caller): StreamableFile {
    return new StreamableFile(this.profiles.export(caller), { type: 'application/x-ndjson' });
  }

  @Put('profiles/:uuid')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: ProfileDto, description: 'Replaced' })
  @ApiCreatedResponse({ type: ProfileDto, description: 'Created' })
  @ApiHeader(IF_MATCH)
  @ApiHeader({ name: 'If-None-Match', required: false, description: '* : create only (412 already_exists when present)' })
  @ApiProblems(400, 412, 422)
  async put(
    @Param('uuid') uuid: string,
    @Body() body: WriteProfileDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProfileDto> {
    const { profile, created } = await this.profiles.put(uuid, body.fields, caller, parseWritePreconditions(ifMatch, ifNoneMatch));
    void reply.status(created ? 201 : 200);
    return withEtag(reply, profile);
  }

  @Patch('profiles/:uuid')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: ProfileDto, description: 'fields merged as a JSON Merge Patch (RFC 7396): null removes a value' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 412, 422)
  async patch(
    @Param('uuid') uuid: string,
    @Body() body: WriteProfileDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProfileDto> {
    return withEtag(reply, await this.profiles.patch(uuid, body.fields, caller, parseWritePreconditions(ifMatch, undefined)));
  }

  @Get('profiles/:uuid/history')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: AuditPageDto, description: 'Changes to the profile, newest first' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiProblems(400)
  history(
    @Param('uuid') uuid: string,
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<AuditPageDto> {
    return this.profiles.history(uuid, caller, limit, cursor);
  }
}

function withEtag(reply: FastifyReply, profile: ProfileView): ProfileView {
  void reply.header('etag', etagOf(profile.version));
  return profile;
}
