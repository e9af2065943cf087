import { Injectable } from '@nestjs/common';
import { EntityManager, LessThan } from 'typeorm';
import { runSql } from '../sql';
import { WebhookDelivery } from './webhook-delivery.entity';

/** Received webhook deliveries, for idempotency. */
@Injectable()
export class WebhookDeliveriesRepository {
  /** Records a delivery; false when its id was already received. */
  async insertIfNew(manager: EntityManager, delivery: Pick<WebhookDelivery, 'id' | 'event' | 'receivedAt'>): Promise<boolean> {
    const result = await runSql(
      manager,
      `INSERT INTO "webhook_deliveries" ("id", "event", "received_at", "processed_at") VALUES (?, ?, ?, NULL) ON CONFLICT ("id") DO NOTHING`,
      [delivery.id, delivery.event, delivery.receivedAt],
    );
    return result.affected === 1;
  }

  /** Forgets deliveries received before `at` (a redelivery that late would be processed again, harmlessly: marks are idempotent). */
  async deleteReceivedBefore(manager: EntityManager, at: string): Promise<number> {
    const result = await manager.getRepository(WebhookDelivery).delete({ receivedAt: LessThan(at) });
    return result.affected ?? 0;
  }

  async markProcessed(manager: EntityManager, id: string, at: string): Promise<void> {
    await manager.getRepository(WebhookDelivery).update({ id }, { processedAt: at });
  }
}
