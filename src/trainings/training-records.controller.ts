import { Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { ApiProblems } from '../common/openapi/problem.schema';
import { etagOf, parseWritePreconditions } from '../common/records/etag';
import { TRAINING_STATUSES } from '../opigno/opigno.types';
import { PatchTrainingRecordDto, RefreshResultDto, TrainingRecordDto, TrainingRecordPageDto } from './dto/training-record.dto';
import { TrainingRecordsService } from './training-records.service';
import { ValidBody } from '../common/http/validation';

const UUID_PARAM = { name: 'uuid', description: 'Opigno user UUID (opaque; anon-… allowed)' };
const LP_ID_PARAM = { name: 'lpId', description: 'Opigno learning path id' };

@ApiTags('training records')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1/profiles')
export class TrainingRecordsController {
  constructor(private readonly records: TrainingRecordsService) {}

  @Get(':uuid/trainings')
  @ApiParam(UUID_PARAM)
  @ApiQuery({ name: 'status', required: false, enum: TRAINING_STATUSES })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: TrainingRecordPageDto, description: "The user's training records (local view), in lpId order" })
  @ApiProblems(400)
  list(
    @Param('uuid') uuid: string,
    @Query('status') status: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<TrainingRecordPageDto> {
    return this.records.list(uuid, caller, { status, limit, cursor });
  }

  // find-my-way reads "::" as a literal colon: /v1/profiles/{uuid}/trainings:refresh
  @Post(':uuid/trainings::refresh')
  @HttpCode(200)
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: RefreshResultDto, description: 'What changed; local records are untouched when the upstream fails' })
  @ApiProblems(400, 502, 503)
  refresh(@Param('uuid') uuid: string): Promise<RefreshResultDto> {
    return this.records.refresh(uuid);
  }

  @Get(':uuid/trainings/:lpId')
  @ApiParam(UUID_PARAM)
  @ApiParam(LP_ID_PARAM)
  @ApiOkResponse({ type: TrainingRecordDto, headers: { ETag: { description: 'Strong tag "<version>"', schema: { type: 'string' } } } })
  @ApiProblems(400, 404)
  async get(
    @Param('uuid') uuid: string,
    @Param('lpId') lpId: string,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingRecordDto> {
    const record = await this.records.get(uuid, lpId, caller);
    void reply.header('etag', etagOf(record.version));
    return record;
  }

  @Patch(':uuid/trainings/:lpId')
  @ApiParam(UUID_PARAM)
  @ApiParam(LP_ID_PARAM)
  @ApiHeader({ name: 'If-Match', required: false, description: 'Write only at this version' })
  @ApiOkResponse({
    type: TrainingRecordDto,
    description: 'Enrolment fields merged (JSON Merge Patch); upstream attributes are read-only (422)',
  })
  @ApiProblems(400, 404, 412, 422)
  async patch(
    @Param('uuid') uuid: string,
    @Param('lpId') lpId: string,
    @ValidBody() body: PatchTrainingRecordDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingRecordDto> {
    const record = await this.records.patchEnrolment(uuid, lpId, body.fields, caller, parseWritePreconditions(ifMatch, undefined));
    void reply.header('etag', etagOf(record.version));
    return record;
  }
}
