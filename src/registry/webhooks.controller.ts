import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { atLeast } from 'src/auth/permissions';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { KILN_API_PREFIX } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { ActorName } from './actor.decorator';
import { RegisteredModelsService } from './registered-models.service';
import { type Delivery, type Webhook, WEBHOOK_EVENTS, WebhooksService } from './webhooks.service';

/** A webhook as Kiln answers it; the secret is never returned. */
const webhookJson = (h: Webhook) => ({
  id: String(h.id),
  name: h.name,
  url: h.url,
  events: h.events,
  created_by: h.createdBy,
  created_at: h.createdAt,
});

const deliveryJson = (d: Delivery) => ({
  id: String(d.id),
  webhook_id: String(d.webhookId),
  event: d.event,
  status: d.status,
  payload: d.payload,
  attempts: d.attempts,
  created_at: d.createdAt,
});

const PERMISSION = 'Required permission: MANAGE on the registered model.';

/**
 * Registry webhooks (Kiln, beyond MLflow): HTTP POSTs on a model's new versions, stage changes
 * and alias changes, signed `X-Kiln-Signature: sha256=<hex HMAC-SHA256 of the body>`, retried
 * with exponential backoff (3 attempts), each attempt listed with its outcome.
 */
@Controller(KILN_API_PREFIX)
@ApiTags('registry (Kiln)')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly models: RegisteredModelsService,
    private readonly access: AccessService,
  ) {}

  @Post('webhooks/create')
  @HttpCode(200)
  @Access.model('MANAGE')
  @ApiOperation({ summary: 'Create a webhook on a registered model', description: PERMISSION })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name', 'url', 'secret', 'events'],
      properties: {
        name: { type: 'string' },
        url: { type: 'string', example: 'https://ci.example.com/kiln-hook' },
        secret: { type: 'string', description: 'HMAC-SHA256 key of X-Kiln-Signature' },
        events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
      },
    },
  })
  async create(@Fields() f: RequestFields, @ActorName() user: string) {
    const name = f.requiredString('name');
    await this.models.get(name);
    const hook = await this.webhooks.create({
      name,
      url: f.requiredString('url'),
      secret: f.requiredString('secret'),
      events: f.stringList('events'),
      user,
    });
    return { webhook: webhookJson(hook) };
  }

  @Get('webhooks/list')
  @Access.model('MANAGE')
  @ApiOperation({
    summary: "A registered model's webhooks (secrets left out)",
    description: PERMISSION,
  })
  @ApiQuery({ name: 'name', required: true, example: 'churn-classifier' })
  async list(@Fields() f: RequestFields) {
    const name = f.requiredString('name');
    await this.models.get(name);
    const hooks = await this.webhooks.list(name);
    return hooks.length > 0 ? { webhooks: hooks.map(webhookJson) } : {};
  }

  @Post('webhooks/delete')
  @HttpCode(200)
  @Access.authenticated({ write: true })
  @ApiOperation({ summary: 'Delete a webhook and its deliveries', description: PERMISSION })
  @ApiBody({ schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } })
  async delete(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const id = f.requiredId('id');
    await this.needManage(caller, id);
    await this.webhooks.delete(id);
    return {};
  }

  @Get('webhooks/deliveries')
  @Access.authenticated()
  @ApiOperation({
    summary: "A webhook's deliveries, newest first, with every attempt's outcome",
    description: PERMISSION,
  })
  @ApiQuery({ name: 'id', required: true, example: '1' })
  async deliveries(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const id = f.requiredId('id');
    await this.needManage(caller, id);
    const list = await this.webhooks.deliveries(id);
    return list.length > 0 ? { deliveries: list.map(deliveryJson) } : {};
  }

  /** MANAGE on the hook's model; a hook on a model the caller cannot read is not found. */
  private async needManage(caller: Principal, id: string): Promise<void> {
    const hook = await this.webhooks.get(id);
    const permission = await this.access.permissionOnAll(caller, 'registered_model', [hook.name]);
    if (!atLeast(permission, 'READ')) {
      throw MlflowError.notFound(`Webhook with id=${id} not found`);
    }
    if (!atLeast(permission, 'MANAGE')) {
      throw new MlflowError(
        'PERMISSION_DENIED',
        'Permission denied: MANAGE on the registered model.',
      );
    }
  }
}
