import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One received webhook delivery; its id makes redelivery a no-op. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  event!: string;

  @Column({ name: 'received_at', type: 'varchar', length: 30 })
  receivedAt!: string;

  @Column({ name: 'processed_at', type: 'varchar', length: 30, nullable: true })
  processedAt!: string | null;
}
