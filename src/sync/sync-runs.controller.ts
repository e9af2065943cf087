import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { parsePageLimit } from '../common/pagination/cursor';
import { ApiProblems } from '../common/openapi/problem.schema';
import { ListSyncRunsQueryDto, StartSyncRunDto, SyncRunDetailDto, SyncRunPageDto } from './dto/sync-run.dto';
import { SyncRunsService } from './sync-runs.service';
import { ValidBody, ValidQuery } from '../common/http/validation';

@ApiTags('admin: sync')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin', 'sync')
@Controller('v1/admin/sync-runs')
export class SyncRunsController {
  constructor(private readonly syncRuns: SyncRunsService) {}

  @Get()
  @ApiOperation({ summary: 'Sync runs, newest first' })
  @ApiOkResponse({ type: SyncRunPageDto })
  @ApiProblems(400, 422)
  list(@ValidQuery() query: ListSyncRunsQueryDto): Promise<SyncRunPageDto> {
    return this.syncRuns.list({ job: query.job, status: query.status, cursor: query.cursor, limit: parsePageLimit(query.limit) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One sync run, with live counts while it runs and its failed records' })
  @ApiOkResponse({ type: SyncRunDetailDto })
  @ApiProblems(404)
  get(@Param('id') id: string): Promise<SyncRunDetailDto> {
    return this.syncRuns.get(id);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a sync run (or resume the interrupted one of that job)',
    description: 'Answers at once; follow the run with GET /v1/admin/sync-runs/{id}. 409 sync_already_running names the running run.',
  })
  @ApiAcceptedResponse({ type: SyncRunDetailDto })
  @ApiProblems(400, 409, 422)
  async start(@ValidBody() body: StartSyncRunDto, @CurrentCaller() caller: Caller): Promise<SyncRunDetailDto> {
    const started = await this.syncRuns.start({
      job: body.job,
      mode: body.mode ?? 'incremental',
      dryRun: body.dryRun ?? false,
      triggeredBy: caller.keyId,
    });
    return started.run;
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a running run: it stops after its in-flight items' })
  @ApiAcceptedResponse({ type: SyncRunDetailDto })
  @ApiProblems(404, 409)
  cancel(@Param('id') id: string): Promise<SyncRunDetailDto> {
    return this.syncRuns.cancel(id);
  }
}
