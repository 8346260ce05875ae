import { createHmac } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import { PrismaService } from 'src/db/prisma.service';

export const WEBHOOK_EVENTS = ['MODEL_VERSION_CREATED', 'STAGE_CHANGED', 'ALIAS_CHANGED'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Attempts per delivery, and the delay before the second (doubled before each next one). */
export const MAX_ATTEMPTS = 3;
export const BACKOFF_MS = 500;
const POLL_MS = 200;
const TIMEOUT_MS = 5_000;
/** A claimed delivery is retried after this long should the server stop mid-attempt. */
const LEASE_MS = 30_000;

export interface Webhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  createdBy: string;
  createdAt: number;
}

export interface DeliveryAttempt {
  attempt: number;
  timestamp: number;
  status_code?: number;
  error?: string;
}

export interface Delivery {
  id: number;
  webhookId: number;
  event: string;
  payload: string;
  status: string;
  attempts: DeliveryAttempt[];
  createdAt: number;
}

/** `sha256=<hex HMAC-SHA256 of the body>`, the X-Kiln-Signature header. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const hookNotFound = (id: string) => MlflowError.notFound(`Webhook with id=${id} not found`);

/**
 * Registry webhooks (beyond MLflow). Events go to an outbox table in the database; an interval
 * timer (unref'd, stopped on shutdown) posts them, retrying with exponential backoff.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(private readonly prisma: PrismaService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async create(input: {
    name: string;
    url: string;
    secret: string;
    events: string[];
    user: string;
  }): Promise<Webhook> {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw MlflowError.invalid(`Invalid webhook url '${input.url}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw MlflowError.invalid(`Invalid webhook url '${input.url}': use http or https`);
    }
    if (input.events.length === 0) throw MlflowError.invalid('A webhook needs at least one event');
    for (const event of input.events) {
      if (!WEBHOOK_EVENTS.includes(event as WebhookEvent)) {
        throw MlflowError.invalid(
          `Invalid event '${event}'. Valid events are ${WEBHOOK_EVENTS.join(', ')}`,
        );
      }
    }
    const row = await this.prisma.registryWebhook.create({
      data: {
        name: input.name,
        url: input.url,
        secret: input.secret,
        events: [...new Set(input.events)],
        createdBy: input.user,
        createdAt: BigInt(Date.now()),
      },
    });
    return toWebhook(row);
  }

  async list(name: string): Promise<Webhook[]> {
    const rows = await this.prisma.registryWebhook.findMany({
      where: { name },
      orderBy: { id: 'asc' },
    });
    return rows.map(toWebhook);
  }

  /** The hook (for its model's permission check); throws RESOURCE_DOES_NOT_EXIST. */
  async get(id: string): Promise<Webhook> {
    if (!/^\d{1,18}$/.test(id)) throw hookNotFound(id);
    const row = await this.prisma.registryWebhook.findUnique({ where: { id: BigInt(id) } });
    if (!row) throw hookNotFound(id);
    return toWebhook(row);
  }

  async delete(id: string): Promise<void> {
    const hook = await this.get(id);
    await this.prisma.registryWebhookDelivery.deleteMany({ where: { webhookId: BigInt(hook.id) } });
    await this.prisma.registryWebhook.deleteMany({ where: { id: BigInt(hook.id) } });
  }

  async deliveries(id: string): Promise<Delivery[]> {
    const hook = await this.get(id);
    const rows = await this.prisma.registryWebhookDelivery.findMany({
      where: { webhookId: BigInt(hook.id) },
      orderBy: { id: 'desc' },
      take: 1000,
    });
    return rows.map((r) => ({
      id: Number(r.id),
      webhookId: Number(r.webhookId),
      event: r.event,
      payload: r.payload,
      status: r.status,
      attempts: r.attempts as unknown as DeliveryAttempt[],
      createdAt: Number(r.createdAt),
    }));
  }

  /**
   * Queues the event for the model's hooks that listen to it. Never fails the caller: the change
   * it reports is already made, so an outbox error is only logged.
   */
  async emit(name: string, event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
    try {
      const hooks = await this.prisma.registryWebhook.findMany({
        where: { name, events: { has: event } },
        select: { id: true },
      });
      if (hooks.length === 0) return;
      const now = Date.now();
      const payload = JSON.stringify({ event, registered_model: name, timestamp: now, data });
      await this.prisma.registryWebhookDelivery.createMany({
        data: hooks.map((h) => ({
          webhookId: h.id,
          event,
          payload,
          nextAttemptAt: BigInt(now),
          createdAt: BigInt(now),
        })),
      });
    } catch (err) {
      this.logger.warn({ err }, `could not queue ${event} webhooks of ${name}`);
    }
  }

  /** Claims due deliveries (several servers may poll) and attempts each. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      const due = await this.prisma.rows<{
        id: string;
        attempt_count: number;
        payload: string;
        url: string;
        secret: string;
      }>(
        `UPDATE registry_webhook_deliveries d SET next_attempt_at = $2
           FROM registry_webhooks w
          WHERE d.webhook_id = w.id AND d.id IN (
            SELECT id FROM registry_webhook_deliveries
             WHERE status = 'PENDING' AND next_attempt_at <= $1
             ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED)
          RETURNING d.id::text AS id, d.attempt_count, d.payload, w.url, w.secret`,
        [now, now + LEASE_MS],
      );
      await Promise.all(due.map((d) => this.attempt(d)));
    } catch (err) {
      if (this.timer) this.logger.warn({ err }, 'webhook poll failed');
    } finally {
      this.polling = false;
    }
  }

  private async attempt(d: {
    id: string;
    attempt_count: number;
    payload: string;
    url: string;
    secret: string;
  }): Promise<void> {
    const attempt = d.attempt_count + 1;
    const record: DeliveryAttempt = { attempt, timestamp: Date.now() };
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-kiln-signature': signature(d.secret, d.payload),
          'x-kiln-delivery': d.id,
        },
        body: d.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      record.status_code = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) record.error = `HTTP ${res.status}`;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    const ok = record.error === undefined;
    const status = ok ? 'SUCCEEDED' : attempt >= MAX_ATTEMPTS ? 'FAILED' : 'PENDING';
    const next = Date.now() + BACKOFF_MS * 2 ** (attempt - 1);
    await this.prisma.rows(
      `UPDATE registry_webhook_deliveries
          SET status = $2, attempt_count = $3, next_attempt_at = $4,
              attempts = attempts || $5::jsonb
        WHERE id = $1::bigint`,
      [d.id, status, attempt, next, JSON.stringify([record])],
    );
  }
}

function toWebhook(row: {
  id: bigint;
  name: string;
  url: string;
  events: string[];
  createdBy: string;
  createdAt: bigint;
}): Webhook {
  return {
    id: Number(row.id),
    name: row.name,
    url: row.url,
    events: row.events,
    createdBy: row.createdBy,
    createdAt: Number(row.createdAt),
  };
}
