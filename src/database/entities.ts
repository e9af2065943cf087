import { ApiKey } from '../auth/api-key.entity';
import { UserContextLink } from '../identity/user-context-link.entity';
import { OpignoConnectionRow } from '../opigno/opigno-connection.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { FieldDefinitionEntity, FieldDefinitionHistoryEntity, FieldDefinitionRevisionEntity } from '../fields/field-definition.entity';
import { SyncRun } from '../sync/sync-run.entity';
import { SyncRunItem } from '../sync/sync-run-item.entity';
import { SyncLease } from '../sync/sync-lease.entity';
import { SyncItemState } from '../sync/sync-item-state.entity';
import { WebhookDelivery } from '../sync/webhooks/webhook-delivery.entity';
import { LearningPath } from '../trainings/learning-paths/learning-path.entity';

/** Every TypeORM entity of the app. Add new ones here. */
export const allEntities = [
  ApiKey,
  UserContextLink,
  OpignoConnectionRow,
  FieldDefinitionEntity,
  FieldDefinitionHistoryEntity,
  FieldDefinitionRevisionEntity,
  AuditEventEntity,
  SyncRun,
  SyncRunItem,
  SyncLease,
  SyncItemState,
  WebhookDelivery,
  LearningPath,
];
