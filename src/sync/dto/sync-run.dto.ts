import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, MaxLength } from 'class-validator';
import { SYNC_MODES, SyncMode } from '../sync-job';
import { SYNC_RUN_STATUSES, SyncRunStatus } from '../sync-run.entity';
import { Optional } from '../../common/http/optional';
import { PageQueryDto } from '../../common/pagination/page-query.dto';

export class StartSyncRunDto {
  @ApiProperty({ example: 'trainings', description: 'A registered sync job' })
  @IsString()
  @MaxLength(64)
  job!: string;

  @ApiPropertyOptional({
    enum: SYNC_MODES,
    default: 'incremental',
    description: 'incremental visits only new, dirty or last-failed keys; full visits everything',
  })
  @Optional()
  @IsIn(SYNC_MODES)
  mode?: SyncMode;

  @ApiPropertyOptional({ default: false, description: 'Compute and report what would change, writing nothing' })
  @Optional()
  @IsBoolean()
  dryRun?: boolean;
}

export class ListSyncRunsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'trainings' })
  @Optional()
  @IsString()
  @MaxLength(64)
  job?: string;

  @ApiPropertyOptional({ enum: SYNC_RUN_STATUSES })
  @Optional()
  @IsIn(SYNC_RUN_STATUSES)
  status?: SyncRunStatus;
}

export class RunCountsDto {
  @ApiProperty({ description: 'Items visited: added + updated + unchanged + skipped + failed' }) total!: number;
  @ApiProperty() added!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Local records a full run found gone upstream' }) removed!: number;
}

export class RecordedFailureDto {
  @ApiProperty({ example: 'user-42' }) key!: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'upstream_unavailable' }) code!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) message!: string | null;
}

export class SyncRunDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'trainings' }) job!: string;
  @ApiProperty({ enum: SYNC_MODES }) mode!: SyncMode;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ enum: SYNC_RUN_STATUSES }) status!: SyncRunStatus;
  @ApiProperty({ description: "API key id, 'schedule' or 'cli'" }) triggeredBy!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Cron slot of a scheduled run' }) scheduleSlot!: string | null;
  @ApiProperty() startedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) heartbeatAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Last time another start resumed this interrupted run' }) resumedAt!:
    string | null;
  @ApiProperty() resumeCount!: number;
  @ApiProperty() cancelRequested!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Items the listing announced' }) total!: number | null;
  @ApiProperty({ description: 'Listed items behind the checkpoint' }) scanned!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Where listing resumes' }) checkpoint!: string | null;
  @ApiProperty() listingComplete!: boolean;
  @ApiProperty({ type: RunCountsDto, description: 'Live while running' }) counts!: RunCountsDto;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Why a failed run failed' }) errorMessage!: string | null;
}

export class SyncRunDetailDto extends SyncRunDto {
  @ApiProperty({ type: [RecordedFailureDto], description: 'Failed records, first 100 by key' }) errors!: RecordedFailureDto[];
  @ApiProperty() errorsTruncated!: boolean;
}

export class SyncRunPageDto {
  @ApiProperty({ type: [SyncRunDto] }) items!: SyncRunDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
