import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import { PrismaService } from 'src/db/prisma.service';
import { checkTransition, ModelVersionsService } from './model-versions.service';
import { RegisteredModelsService } from './registered-models.service';
import type { ModelVersion, Stage } from './registry.entities';

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A stage transition waiting for (or decided by) a MANAGE user. Times are epoch ms. */
export interface TransitionRequest {
  id: number;
  name: string;
  version: number;
  stage: Stage;
  archiveExisting: boolean;
  status: RequestStatus;
  requestedBy: string;
  requestedAt: number;
  comment: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionComment: string | null;
}

interface RequestRow {
  id: bigint;
  name: string;
  version: number;
  stage: string;
  archiveExisting: boolean;
  status: string;
  requestedBy: string;
  requestedAt: bigint;
  comment: string | null;
  decidedBy: string | null;
  decidedAt: bigint | null;
  decisionComment: string | null;
}

function toRequest(row: RequestRow): TransitionRequest {
  return {
    id: Number(row.id),
    name: row.name,
    version: row.version,
    stage: row.stage as Stage,
    archiveExisting: row.archiveExisting,
    status: row.status as RequestStatus,
    requestedBy: row.requestedBy,
    requestedAt: Number(row.requestedAt),
    comment: row.comment,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt === null ? null : Number(row.decidedAt),
    decisionComment: row.decisionComment,
  };
}

const requestNotFound = (id: string) =>
  MlflowError.notFound(`Transition request with id=${id} not found`);

/**
 * Optional approval of stage transitions (beyond MLflow). On a model that requires approval, a
 * transition by a caller without MANAGE becomes a pending request; a MANAGE user approves it
 * (the transition is then made, and the audit trail names approver and requester) or rejects it.
 * Permissions are checked by the controller.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly models: RegisteredModelsService,
    private readonly versions: ModelVersionsService,
  ) {}

  async requiresApproval(name: string): Promise<boolean> {
    return (await this.prisma.registryApprovalSetting.count({ where: { name } })) > 0;
  }

  /** Turns the requirement on or off; throws RESOURCE_DOES_NOT_EXIST for a missing model. */
  async setRequireApproval(name: string, enabled: boolean, user: string): Promise<void> {
    await this.models.get(name);
    if (enabled) {
      await this.prisma.registryApprovalSetting.upsert({
        where: { name },
        create: { name, setBy: user, timestamp: BigInt(Date.now()) },
        update: {},
      });
    } else {
      await this.prisma.registryApprovalSetting.deleteMany({ where: { name } });
    }
  }

  /** Records a transition request after validating it as a transition; the version is unchanged. */
  async request(input: {
    name: string;
    version: string;
    stage: string;
    archiveExisting: boolean;
    user: string;
    comment?: string;
  }): Promise<{ version: ModelVersion; request: TransitionRequest }> {
    const { target } = checkTransition(
      input.name,
      input.version,
      input.stage,
      input.archiveExisting,
    );
    const version = await this.versions.get(input.name, input.version);
    const row = await this.prisma.registryTransitionRequest.create({
      data: {
        name: input.name,
        version: version.version,
        stage: target,
        archiveExisting: input.archiveExisting,
        requestedBy: input.user,
        requestedAt: BigInt(Date.now()),
        comment: input.comment || null,
      },
    });
    return { version, request: toRequest(row) };
  }

  /** A model's requests, newest first, optionally of one status. */
  async list(name: string, status?: string): Promise<TransitionRequest[]> {
    await this.models.get(name);
    const wanted = status?.toUpperCase();
    if (wanted !== undefined && !REQUEST_STATUSES.includes(wanted as RequestStatus)) {
      throw MlflowError.invalid(
        `Invalid status '${status}'. Valid statuses are ${REQUEST_STATUSES.join(', ')}`,
      );
    }
    const rows = await this.prisma.registryTransitionRequest.findMany({
      where: { name, ...(wanted ? { status: wanted } : {}) },
      orderBy: { id: 'desc' },
      take: 1000,
    });
    return rows.map(toRequest);
  }

  async get(id: string): Promise<TransitionRequest> {
    if (!/^\d{1,18}$/.test(id)) throw requestNotFound(id);
    const row = await this.prisma.registryTransitionRequest.findUnique({
      where: { id: BigInt(id) },
    });
    if (!row) throw requestNotFound(id);
    return toRequest(row);
  }

  /**
   * Marks a pending request approved and makes its transition, as the approver. Should the
   * transition fail (the version was deleted meanwhile), the request stays pending.
   */
  async approve(
    id: string,
    approver: string,
    comment?: string,
  ): Promise<{ version: ModelVersion; request: TransitionRequest }> {
    const request = await this.decide(id, 'APPROVED', approver, comment);
    const notes = [
      `Transition request ${request.id} by ${request.requestedBy || '(unknown)'}, ` +
        `approved by ${approver || '(unknown)'}.`,
      request.comment ? `Request: ${request.comment}` : '',
      comment ? `Approval: ${comment}` : '',
    ];
    try {
      const version = await this.versions.transitionStage(
        request.name,
        String(request.version),
        request.stage,
        request.archiveExisting,
        { userId: approver, comment: notes.filter(Boolean).join(' ') },
      );
      return { version, request };
    } catch (err) {
      await this.prisma.registryTransitionRequest.update({
        where: { id: BigInt(request.id) },
        data: { status: 'PENDING', decidedBy: null, decidedAt: null, decisionComment: null },
      });
      throw err;
    }
  }

  async reject(id: string, user: string, comment?: string): Promise<TransitionRequest> {
    return this.decide(id, 'REJECTED', user, comment);
  }

  /** Moves a pending request to `status`; only one decision wins a race. */
  private async decide(
    id: string,
    status: RequestStatus,
    user: string,
    comment?: string,
  ): Promise<TransitionRequest> {
    const current = await this.get(id);
    const { count } = await this.prisma.registryTransitionRequest.updateMany({
      where: { id: BigInt(current.id), status: 'PENDING' },
      data: {
        status,
        decidedBy: user,
        decidedAt: BigInt(Date.now()),
        decisionComment: comment || null,
      },
    });
    if (count === 0) {
      const now = await this.get(id);
      throw MlflowError.invalid(
        `Transition request ${id} is ${now.status.toLowerCase()}, not pending.`,
      );
    }
    return this.get(id);
  }
}
