import { Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { BadRequestError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/openapi/problem.schema';
import { etagOf } from '../common/records/etag';
import type { SerializedRecord } from '../common/records/extended-records.service';
import { ProfilesService } from '../profiles/profiles.service';
import { TrainingsService } from '../trainings/trainings.service';
import { CombinedReadsService, parseInclude, PROFILE_PARTS, ReadOptions, TRAINING_PARTS } from './combined-reads.service';
import { BatchGetAnswerDto, BatchGetDto, CombinedProfileDto, CombinedTrainingAnswerDto } from './dto/combined.dto';
import { ValidBody } from '../common/http/validation';

const CACHE_CONTROL = {
  name: 'Cache-Control',
  required: false,
  description: 'no-cache: read the upstream parts fresh instead of from the cache',
};
const STRICT = {
  name: 'strict',
  required: false,
  description: 'true: any upstream failure answers 502/503 problem+json instead of meta.upstream',
};

function readOptions(strict: string | undefined, cacheControl: string | undefined): ReadOptions {
  if (strict !== undefined && strict !== 'true' && strict !== 'false') {
    throw new BadRequestError('invalid_parameter', 'strict must be true or false.', [
      { field: 'strict', code: 'invalid_boolean', message: 'must be true or false' },
    ]);
  }
  return { strict: strict === 'true', fresh: /\bno-cache\b/i.test(cacheControl ?? '') };
}

/** A local-only read: the record's document as serialized by the service, with its ETag. */
function sendSerialized(reply: FastifyReply, record: SerializedRecord): string {
  void reply.header('etag', etagOf(record.version)).type('application/json; charset=utf-8');
  return record.json;
}

/** Reads of one learner or learning path: local alone, or merged with the upstream parts asked for in ?include. */
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1')
export class CombinedReadsController {
  constructor(
    private readonly combined: CombinedReadsService,
    private readonly profiles: ProfilesService,
    private readonly trainings: TrainingsService,
  ) {}

  @Get('profiles/:uuid')
  @ApiTags('profiles')
  @ApiOperation({
    summary: 'A learner: local profile alone, or with ?include=context,trainings merged from Opigno',
    description:
      'Parts not in the cache are asked for in one Opigno request. Each part is still reported on its own in ' +
      'meta.upstream (ok, not_found, or unavailable with its code; stale with its age when served from the cache ' +
      'after a failure), and a failed part never fails the answer unless strict=true.',
  })
  @ApiParam({ name: 'uuid', description: 'Opigno user UUID (opaque; anon-… allowed)' })
  @ApiQuery({
    name: 'include',
    required: false,
    description: 'context, trainings (comma-separated). Without it the read is local-only and never calls Opigno.',
  })
  @ApiQuery(STRICT)
  @ApiHeader(CACHE_CONTROL)
  @ApiOkResponse({
    type: CombinedProfileDto,
    headers: { ETag: { description: 'Strong tag "<version>" of the local profile', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 404, 502, 503)
  async get(
    @Param('uuid') uuid: string,
    @Query('include') includeParam: string | undefined,
    @Query('strict') strict: string | undefined,
    @Headers('cache-control') cacheControl: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CombinedProfileDto | string> {
    const include = parseInclude(includeParam, PROFILE_PARTS);
    if (include.length === 0) return sendSerialized(reply, await this.profiles.getSerialized(uuid, caller));
    const answer = await this.combined.readProfile(uuid, caller, include, readOptions(strict, cacheControl));
    if (answer.version !== null) void reply.header('etag', etagOf(answer.version));
    return answer;
  }

  // find-my-way reads "::" as a literal colon: /v1/profiles:batchGet
  @Post('profiles::batchGet')
  @ApiTags('profiles')
  @ApiOperation({ summary: 'Many learners at once (≤ 100), each with the status a single read would have' })
  @HttpCode(200)
  @ApiOkResponse({
    type: BatchGetAnswerDto,
    description: 'One item per uuid, in request order, each with the status a single read would have had',
  })
  @ApiProblems(400, 422)
  async batchGet(@ValidBody() body: BatchGetDto, @CurrentCaller() caller: Caller): Promise<BatchGetAnswerDto> {
    const items = await this.combined.readMany(body.uuids, caller, body.include ?? [], { strict: body.strict ?? false, fresh: false });
    return { items };
  }

  @Get('trainings/:lpId')
  @ApiTags('trainings')
  @ApiOperation({ summary: 'A training: local fields alone, or with ?include=upstream merged from Opigno' })
  @ApiParam({ name: 'lpId', description: 'Opigno learning path id' })
  @ApiQuery({ name: 'include', required: false, description: 'upstream: merge the learning path title and certification flag from Opigno' })
  @ApiQuery(STRICT)
  @ApiHeader(CACHE_CONTROL)
  @ApiOkResponse({
    type: CombinedTrainingAnswerDto,
    headers: { ETag: { description: 'Strong tag "<version>" of the local training', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 404, 502, 503)
  async getTraining(
    @Param('lpId') lpId: string,
    @Query('include') includeParam: string | undefined,
    @Query('strict') strict: string | undefined,
    @Headers('cache-control') cacheControl: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CombinedTrainingAnswerDto | string> {
    const include = parseInclude(includeParam, TRAINING_PARTS);
    if (include.length === 0) return sendSerialized(reply, await this.trainings.getSerialized(lpId, caller));
    const answer = await this.combined.readLearningPath(lpId, caller, include, readOptions(strict, cacheControl));
    if (answer.version !== null) void reply.header('etag', etagOf(answer.version));
    return answer;
  }
}
