import { Injectable, Logger } from '@nestjs/common';

export const OPIGNO_WEBHOOK_EVENTS = [
  'USER_REGISTERED_TO_TRAINING',
  'USER_COMPLETED_TRAINING',
  'LEARNING_PATH_NEW_REVISION',
  'CERTIFICATE_EXPIRED',
] as const;
export type OpignoWebhookEventName = (typeof OPIGNO_WEBHOOK_EVENTS)[number];

/** A verified, first-time webhook delivery, after its effects (dirty marks) were committed. */
export interface OpignoWebhookEvent {
  deliveryId: string;
  /** One of OPIGNO_WEBHOOK_EVENTS, or a name this version does not know (then nothing was marked). */
  event: string;
  occurredAt: string | null;
  /** The user concerned, when the event names one. */
  uuid: string | null;
  /** The learning path concerned, when the event names one. */
  lpId: string | null;
  data: Record<string, unknown>;
}

export type WebhookListener = (event: OpignoWebhookEvent) => void | Promise<void>;

/**
 * In-process fan-out of received webhooks, e.g. to refresh a user's records at once:
 *
 *   constructor(events: WebhookEvents) { events.on((e) => e.uuid && this.refresh(e.uuid)); }
 *
 * Listeners run after the HTTP answer was decided and never affect it; their errors are logged.
 */
@Injectable()
export class WebhookEvents {
  private readonly logger = new Logger(WebhookEvents.name);
  private readonly listeners = new Set<WebhookListener>();

  /** Subscribes; answers the unsubscribe function. */
  on(listener: WebhookListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: OpignoWebhookEvent): void {
    for (const listener of this.listeners) {
      setImmediate(() => {
        Promise.resolve()
          .then(() => listener(event))
          .catch((error: unknown) =>
            this.logger.error({ err: error, deliveryId: event.deliveryId, event: event.event }, 'Webhook listener failed'),
          );
      });
    }
  }
}
