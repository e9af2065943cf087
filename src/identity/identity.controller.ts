import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { BadRequestError, ForbiddenError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/openapi/problem.schema';
import { parseWritePreconditions } from '../common/records/etag';
import { ProfilesService } from '../profiles/profiles.service';
import { AliasDto, ErasureReportDto, IdentifyDto, IdentifyResultDto, PrivacyExportDto } from './dto/identity.dto';
import { IdentifyService } from './identify.service';
import { PrivacyService, UpstreamErasure } from './privacy.service';
import { ValidBody } from '../common/http/validation';

const UUID_PARAM = { name: 'uuid', description: 'Opigno user UUID (opaque; anon-… allowed)' };

@ApiTags('identity and privacy')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'service')
@Controller('v1')
export class IdentityController {
  constructor(
    private readonly identifyService: IdentifyService,
    private readonly privacy: PrivacyService,
    private readonly profiles: ProfilesService,
  ) {}

  @Post('identify')
  @HttpCode(200)
  @ApiOkResponse({ type: IdentifyResultDto, description: 'Merged; repeating the same pair answers the same result and changes nothing' })
  @ApiProblems(400, 409, 422)
  async identify(@ValidBody() body: IdentifyDto, @CurrentCaller() caller: Caller): Promise<IdentifyResultDto> {
    return (await this.identifyService.identify(body.anonymousId, body.userId, caller)).result;
  }

  @Get('profiles/:uuid/aliases')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({
    type: [AliasDto],
    description: 'Identity links involving the user (anonymous ids merged into them, or the user they were merged into)',
  })
  @ApiProblems(400)
  async aliases(@Param('uuid') uuid: string): Promise<AliasDto[]> {
    return (await this.privacy.aliasesOf(uuid)).map(({ anonymousId, userId, mergedAt, mergedBy }) => ({
      anonymousId,
      userId,
      mergedAt,
      mergedBy,
    }));
  }

  @Get('profiles/:uuid/export')
  @Roles('admin')
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: PrivacyExportDto, description: 'Everything the companion stores about the user, as one JSON document' })
  @ApiProblems(400, 404)
  export(@Param('uuid') uuid: string): Promise<PrivacyExportDto> {
    return this.privacy.export(uuid);
  }

  @Delete('profiles/:uuid')
  @ApiParam(UUID_PARAM)
  @ApiQuery({
    name: 'erase',
    required: false,
    description: 'true (admin only): remove every local record of the user, audit values included, leaving a tombstone',
  })
  @ApiQuery({
    name: 'upstream',
    required: false,
    enum: ['anonymize', 'deactivate'],
    description: 'With erase: also apply this upstream (first; nothing is erased if it fails)',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Plain delete only: delete only at this version' })
  @ApiNoContentResponse({ description: 'Profile deleted' })
  @ApiOkResponse({ type: ErasureReportDto, description: 'erase=true: what was removed' })
  @ApiProblems(400, 404, 412, 502, 503)
  async delete(
    @Param('uuid') uuid: string,
    @Query('erase') erase: string | undefined,
    @Query('upstream') upstream: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ErasureReportDto | undefined> {
    if (erase !== undefined && erase !== 'true' && erase !== 'false') throw invalidParameter('erase', 'must be true or false');
    if (upstream !== undefined && upstream !== 'anonymize' && upstream !== 'deactivate')
      throw invalidParameter('upstream', 'must be anonymize or deactivate');
    if (erase !== 'true') {
      if (upstream !== undefined) throw invalidParameter('upstream', 'only applies with erase=true');
      await this.profiles.delete(uuid, caller, parseWritePreconditions(ifMatch, undefined));
      void reply.status(204);
      return undefined;
    }
    if (caller.role !== 'admin') throw new ForbiddenError('Erasing a user needs the admin role.');
    return this.privacy.erase(uuid, caller, (upstream as UpstreamErasure | undefined) ?? null);
  }
}

function invalidParameter(field: string, message: string): BadRequestError {
  return new BadRequestError('invalid_parameter', `${field} ${message}.`, [{ field, code: 'invalid_parameter', message }]);
}
