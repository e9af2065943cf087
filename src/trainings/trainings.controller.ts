import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
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
import { AuditPageDto, ImportReportDto } from '../profiles/dto/profile.dto';
import { TrainingDto, TrainingPageDto, WriteTrainingDto } from './dto/training.dto';
import { TrainingsService, TrainingView } from './trainings.service';

const LP_ID_PARAM = { name: 'lpId', description: 'Opigno learning path id: ^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$' };
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'Write only if the training is at this version ("<version>" as sent in ETag)',
};

@ApiTags('trainings')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1')
export class TrainingsController {
  constructor(private readonly trainings: TrainingsService) {}

  @Get('trainings')
  @ApiOkResponse({ type: TrainingPageDto })
  @ApiQuery({
    name: 'filter[<key>]',
    required: false,
    description: 'As for profiles: filter[<key>][eq|ne|gt|gte|lt|lte|in|prefix]=… on searchable training fields',
  })
  @ApiQuery({ name: 'sort', required: false, description: '<key>, -<key>, createdAt, updatedAt (default createdAt)' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiProblems(400)
  list(@Req() request: FastifyRequest, @CurrentCaller() caller: Caller): Promise<TrainingPageDto> {
    return this.trainings.list(request.url.split('?')[1] ?? '', caller);
  }

  @Post('trainings::import')
  @HttpCode(200)
  @ApiConsumes('application/x-ndjson')
  @ApiBody({ description: 'One { "lpId": …, "fields": { … } } per line (upsert)', schema: { type: 'string' } })
  @ApiOkResponse({ type: ImportReportDto })
  @ApiProblems(400, 413, 415)
  import(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ImportReportDto> {
    if (typeof body !== 'string') throw new BadRequestError('ndjson_required', 'Send the import as application/x-ndjson.');
    return this.trainings.import(body, caller) as unknown as Promise<ImportReportDto>;
  }

  @Get('trainings::export')
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'Every extended training as one JSON document per line',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  export(@CurrentCaller() caller: Caller): StreamableFile {
    return new StreamableFile(this.trainings.export(caller), { type: 'application/x-ndjson' });
  }

  @Put('trainings/:lpId')
  @ApiParam(LP_ID_PARAM)
  @ApiOkResponse({ type: TrainingDto, description: 'Replaced' })
  @ApiCreatedResponse({ type: TrainingDto, description: 'Created' })
  @ApiHeader(IF_MATCH)
  @ApiHeader({ name: 'If-None-Match', required: false, description: '* : create only' })
  @ApiProblems(400, 412, 422)
  async put(
    @Param('lpId') lpId: string,
    @Body() body: WriteTrainingDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingDto> {
    const { training, created } = await this.trainings.put(lpId, body.fields, caller, parseWritePreconditions(ifMatch, ifNoneMatch));
    void reply.status(created ? 201 : 200);
    return withEtag(reply, training);
  }

  @Patch('trainings/:lpId')
  @ApiParam(LP_ID_PARAM)
  @ApiOkResponse({ type: TrainingDto, description: 'fields merged as a JSON Merge Patch (RFC 7396)' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 412, 422)
  async patch(
    @Param('lpId') lpId: string,
    @Body() body: WriteTrainingDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingDto> {
    return withEtag(reply, await this.trainings.patch(lpId, body.fields, caller, parseWritePreconditions(ifMatch, undefined)));
  }

  @Delete('trainings/:lpId')
  @ApiParam(LP_ID_PARAM)
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 412)
  delete(@Param('lpId') lpId: string, @Headers('if-match') ifMatch: string | undefined, @CurrentCaller() caller: Caller): Promise<void> {
    return this.trainings.delete(lpId, caller, parseWritePreconditions(ifMatch, undefined));
  }

  @Get('trainings/:lpId/history')
  @ApiParam(LP_ID_PARAM)
  @ApiOkResponse({ type: AuditPageDto })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiProblems(400)
  history(
    @Param('lpId') lpId: string,
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<AuditPageDto> {
    return this.trainings.history(lpId, caller, limit, cursor);
  }
}

function withEtag(reply: FastifyReply, training: TrainingView): TrainingView {
  void reply.header('etag', etagOf(training.version));
  return training;
}
