import { Inject, Injectable, Logger } from '@nestjs/common';
import { FieldError, ValidationFailedError } from '../../common/errors/domain-error';
import { opignoConfig, OpignoConfig } from '../../config/configuration';
import { TransactionRunner } from '../../database/transaction-runner';
import { OPIGNO_USER_UUID_PATTERN } from '../../opigno/opigno.types';
import { SyncItemStateRepository } from '../sync-item-state.repository';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { OPIGNO_WEBHOOK_EVENTS, OpignoWebhookEvent, WebhookEvents } from './webhook-events';
import { isValidWebhookSignature } from './webhook-signature';
import { InvalidWebhookSignatureError, WebhooksNotConfiguredError } from './webhooks.errors';

/** The sync jobs webhooks mark dirty (they are visited by those jobs' next incremental run). */
export const PROGRESS_JOB = 'progress';
export const TRAININGS_JOB = 'trainings';

export interface DirtyMark {
  job: string;
  key: string;
}

export interface WebhookReceipt {
  id: string;
  event: string;
  duplicate: boolean;
  /** What the delivery marked for the next incremental runs. */
  marked: DirtyMark[];
}

/** Delivery ids are remembered this long for deduplication. */
const DELIVERY_RETENTION_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_LP_ID_LENGTH = 255;

interface Envelope {
  id: string;
  event: string;
  occurredAt: string | null;
  data: Record<string, unknown>;
  uuid: string | null;
  lpId: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEnvelope(rawBody: Buffer): Envelope {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    body = undefined;
  }
  const errors: FieldError[] = [];
  if (!isObject(body)) throw new ValidationFailedError([{ field: '', code: 'invalid_type', message: 'the body must be a JSON object' }]);
  const data = body.data === undefined ? {} : body.data;
  if (typeof body.id !== 'string' || !DELIVERY_ID.test(body.id))
    errors.push({ field: 'id', code: 'invalid_id', message: 'must be 1 to 128 characters from A-Z a-z 0-9 . _ : -' });
  if (typeof body.event !== 'string' || body.event.length === 0 || body.event.length > 64)
    errors.push({ field: 'event', code: 'invalid_event', message: 'must be an event name' });
  if (body.occurredAt !== undefined && typeof body.occurredAt !== 'string')
    errors.push({ field: 'occurredAt', code: 'invalid_type', message: 'must be an ISO 8601 string' });
  if (!isObject(data)) errors.push({ field: 'data', code: 'invalid_type', message: 'must be an object' });
  const uuid = isObject(data) ? data.uuid : undefined;
  const lpId = isObject(data) ? data.lpId : undefined;
  if (uuid !== undefined && (typeof uuid !== 'string' || !OPIGNO_USER_UUID_PATTERN.test(uuid))) {
    errors.push({
      field: 'data.uuid',
      code: 'invalid_uuid',
      message: 'must be 1 to 128 characters from A-Z a-z 0-9 . _ : @ - starting with a letter or digit',
    });
  }
  if (lpId !== undefined && (typeof lpId !== 'string' || lpId.length === 0 || lpId.length > MAX_LP_ID_LENGTH)) {
    errors.push({ field: 'data.lpId', code: 'invalid_lp_id', message: `must be 1 to ${MAX_LP_ID_LENGTH} characters` });
  }
  if (errors.length > 0) throw new ValidationFailedError(errors);
  return {
    id: body.id as string,
    event: body.event as string,
    occurredAt: (body.occurredAt as string | undefined) ?? null,
    data: data as Record<string, unknown>,
    uuid: (uuid as string | undefined) ?? null,
    lpId: (lpId as string | undefined) ?? null,
  };
}

/** What an event asks the next incremental runs to refresh. */
function marksFor(envelope: Envelope): DirtyMark[] {
  if (!(OPIGNO_WEBHOOK_EVENTS as readonly string[]).includes(envelope.event)) return [];
  const marks: DirtyMark[] = [];
  if (envelope.uuid !== null) marks.push({ job: PROGRESS_JOB, key: envelope.uuid });
  if (envelope.event === 'LEARNING_PATH_NEW_REVISION' && envelope.lpId !== null) marks.push({ job: TRAININGS_JOB, key: envelope.lpId });
  return marks;
}

/** Receives signed Opigno webhooks: verifies, records each delivery once, marks the affected records dirty. */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private lastPrunedAt = 0;

  constructor(
    @Inject(opignoConfig.KEY) private readonly config: OpignoConfig,
    private readonly transactions: TransactionRunner,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly states: SyncItemStateRepository,
    private readonly events: WebhookEvents,
  ) {}

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookReceipt> {
    const secret = this.config.webhookSecret;
    if (!secret) throw new WebhooksNotConfiguredError();
    if (rawBody === undefined || !isValidWebhookSignature(rawBody, signature, secret)) throw new InvalidWebhookSignatureError();
    const envelope = parseEnvelope(rawBody);
    const marks = marksFor(envelope);
    const now = new Date().toISOString();
    const fresh = await this.transactions.run(async (manager) => {
      if (!(await this.deliveries.insertIfNew(manager, { id: envelope.id, event: envelope.event, receivedAt: now }))) return false;
      for (const mark of marks) await this.states.markDirty(manager, mark.job, mark.key, now);
      await this.deliveries.markProcessed(manager, envelope.id, now);
      return true;
    });
    if (!fresh) return { id: envelope.id, event: envelope.event, duplicate: true, marked: [] };
    this.logger.log({ deliveryId: envelope.id, event: envelope.event, marked: marks }, 'Opigno webhook received');
    const event: OpignoWebhookEvent = {
      deliveryId: envelope.id,
      event: envelope.event,
      occurredAt: envelope.occurredAt,
      uuid: envelope.uuid,
      lpId: envelope.lpId,
      data: envelope.data,
    };
    this.events.emit(event);
    this.pruneOldDeliveries();
    return { id: envelope.id, event: envelope.event, duplicate: false, marked: marks };
  }

  private pruneOldDeliveries(): void {
    const now = Date.now();
    if (now - this.lastPrunedAt < PRUNE_EVERY_MS) return;
    this.lastPrunedAt = now;
    const before = new Date(now - DELIVERY_RETENTION_MS).toISOString();
    this.transactions
      .run((manager) => this.deliveries.deleteReceivedBefore(manager, before))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Could not prune old webhook deliveries'));
  }
}
