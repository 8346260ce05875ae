import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { atLeast, type Permission } from 'src/auth/permissions';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { KILN_API_PREFIX } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { ActorName } from './actor.decorator';
import { ApprovalsService } from './approvals.service';
import { modelVersionJson, transitionRequestJson } from './registry.json';

const DECISION_BODY = {
  schema: {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string', description: 'Transition request id' },
      comment: { type: 'string', description: 'A note kept with the decision' },
    },
  },
};

/**
 * Optional approval of stage transitions (Kiln, beyond MLflow): the per-model setting, the
 * pending requests, and their approval or rejection by a MANAGE user.
 */
@Controller(KILN_API_PREFIX)
@ApiTags('registry (Kiln)')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly access: AccessService,
  ) {}

  @Post('registered-models/require-approval')
  @HttpCode(200)
  @Access.model('MANAGE')
  @ApiOperation({
    summary: 'Require approval of stage transitions on a registered model',
    description:
      'When enabled, a transition-stage call by a user holding EDIT but not MANAGE does not move ' +
      'the version: it records a pending transition request (returned as `pending_request`) ' +
      'that a MANAGE user approves or rejects. MANAGE users and admins transition directly. ' +
      'Required permission: MANAGE on the registered model.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name', 'enabled'],
      properties: { name: { type: 'string' }, enabled: { type: 'boolean' } },
    },
  })
  async requireApproval(@Fields() f: RequestFields, @ActorName() user: string) {
    const name = f.requiredString('name');
    const enabled = f.bool('enabled');
    if (enabled === undefined)
      throw MlflowError.invalid("Missing value for required parameter 'enabled'");
    await this.approvals.setRequireApproval(name, enabled, user);
    return { name, require_approval: enabled };
  }

  @Get('transition-requests')
  @Access.model('READ')
  @ApiOperation({
    summary: "A registered model's transition requests, newest first",
    description:
      'Also tells whether the model requires approval. Optional `status`: PENDING, APPROVED, ' +
      'REJECTED or CANCELLED. Required permission: READ on the registered model.',
  })
  @ApiQuery({ name: 'name', required: true, example: 'churn-classifier' })
  @ApiQuery({ name: 'status', required: false, example: 'PENDING' })
  async list(@Fields() f: RequestFields) {
    const name = f.requiredString('name');
    const requests = await this.approvals.list(name, f.string('status') || undefined);
    return {
      require_approval: await this.approvals.requiresApproval(name),
      ...(requests.length > 0 ? { requests: requests.map(transitionRequestJson) } : {}),
    };
  }

  @Post('transition-requests/approve')
  @HttpCode(200)
  @Access.authenticated({ write: true })
  @ApiOperation({
    summary: 'Approve a pending transition request: the transition is made',
    description:
      'The audit trail records the transition as made by the approver, naming the requester. ' +
      "Required permission: MANAGE on the request's registered model.",
  })
  @ApiBody(DECISION_BODY)
  async approve(
    @Caller() caller: Principal,
    @Fields() f: RequestFields,
    @ActorName() user: string,
  ) {
    const id = f.requiredId('id');
    await this.needManage(caller, id);
    const { version, request } = await this.approvals.approve(
      id,
      user,
      f.string('comment') || undefined,
    );
    return { request: transitionRequestJson(request), model_version: modelVersionJson(version) };
  }

  @Post('transition-requests/reject')
  @HttpCode(200)
  @Access.authenticated({ write: true })
  @ApiOperation({
    summary: 'Reject a pending transition request',
    description: "Required permission: MANAGE on the request's registered model.",
  })
  @ApiBody(DECISION_BODY)
  async reject(@Caller() caller: Principal, @Fields() f: RequestFields, @ActorName() user: string) {
    const id = f.requiredId('id');
    await this.needManage(caller, id);
    const request = await this.approvals.reject(id, user, f.string('comment') || undefined);
    return { request: transitionRequestJson(request) };
  }

  /** MANAGE on the request's model; a request on a model the caller cannot read is not found. */
  private async needManage(caller: Principal, id: string): Promise<void> {
    const request = await this.approvals.get(id);
    const permission: Permission = await this.access.permissionOnAll(caller, 'registered_model', [
      request.name,
    ]);
    if (!atLeast(permission, 'READ')) {
      throw MlflowError.notFound(`Transition request with id=${id} not found`);
    }
    if (!atLeast(permission, 'MANAGE')) {
      throw new MlflowError(
        'PERMISSION_DENIED',
        'Permission denied: MANAGE on the registered model.',
      );
    }
  }
}
