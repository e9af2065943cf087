import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { companionConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { KeysCommand, KeysCreateCommand, KeysListCommand, KeysRevokeCommand } from '../auth/cli/keys.command';
import { SyncCliModule } from '../sync/cli/sync-cli.module';

@Module({
  imports: [companionConfigModule(), DatabaseModule, AuthModule, SyncCliModule],
  providers: [KeysCommand, KeysCreateCommand, KeysListCommand, KeysRevokeCommand],
})
export class CliModule {}
