import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from '../migration-helpers';

/** Sync runs, their items, the per-job lease, per-key sync state, webhook deliveries and the learning-path catalogue. */
export class Sync1764000004000 implements MigrationInterface {
  name = 'Sync1764000004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sync_runs',
        columns: [
          col.id(),
          col.string('job', 64),
          col.string('mode', 16),
          col.bool('dry_run', false),
          col.string('status', 16),
          col.string('triggered_by', 64),
          col.timestamp('schedule_slot', true),
          col.timestamp('started_at'),
          col.timestamp('finished_at', true),
          col.timestamp('heartbeat_at', true),
          col.timestamp('resumed_at', true),
          col.int('resume_count', false, 0),
          col.bool('cancel_requested', false),
          col.int('total', true),
          col.int('scanned', false, 0),
          col.text('checkpoint', true),
          col.int('count_added', false, 0),
          col.int('count_updated', false, 0),
          col.int('count_unchanged', false, 0),
          col.int('count_failed', false, 0),
          col.int('count_skipped', false, 0),
          col.int('count_removed', false, 0),
          col.text('error_message', true),
        ],
        indices: [
          { name: 'ux_sync_runs_schedule_slot', columnNames: ['job', 'schedule_slot'], isUnique: true },
          { name: 'ix_sync_runs_job_started', columnNames: ['job', 'started_at'] },
          { name: 'ix_sync_runs_started', columnNames: ['started_at'] },
          { name: 'ix_sync_runs_status', columnNames: ['status'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sync_run_items',
        columns: [
          { ...col.string('run_id', 64), isPrimary: true },
          { ...col.string('key', 255), isPrimary: true },
          col.string('outcome', 16),
          col.string('error_code', 64, true),
          col.text('error_message', true),
          col.timestamp('recorded_at'),
        ],
        indices: [{ name: 'ix_sync_run_items_outcome', columnNames: ['run_id', 'outcome'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sync_leases',
        columns: [
          { ...col.string('job', 64), isPrimary: true },
          col.string('run_id', 64),
          col.string('holder', 200),
          col.timestamp('expires_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sync_item_state',
        columns: [
          { ...col.string('job', 64), isPrimary: true },
          { ...col.string('key', 255), isPrimary: true },
          col.timestamp('last_synced_at', true),
          col.string('last_outcome', 16, true),
          col.bool('dirty', false),
          col.timestamp('dirtied_at', true),
        ],
        indices: [{ name: 'ix_sync_item_state_pending', columnNames: ['job', 'dirty', 'last_outcome'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { ...col.string('id', 128), isPrimary: true },
          col.string('event', 64),
          col.timestamp('received_at'),
          col.timestamp('processed_at', true),
        ],
        indices: [{ name: 'ix_webhook_deliveries_received', columnNames: ['received_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'learning_paths',
        columns: [
          { ...col.string('lp_id', 64), isPrimary: true },
          col.string('title', 500),
          col.bool('certification_enabled', false),
          col.timestamp('synced_at'),
          col.timestamp('removed_at', true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['learning_paths', 'webhook_deliveries', 'sync_item_state', 'sync_leases', 'sync_run_items', 'sync_runs']) {
      await queryRunner.dropTable(table);
    }
  }
}
