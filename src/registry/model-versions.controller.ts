import { Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { atLeast } from 'src/auth/permissions';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController, Ok } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { keyValues } from 'src/tracking/key-values';
import { ActorName } from './actor.decorator';
import { ApprovalsService } from './approvals.service';
import { ModelVersionsService } from './model-versions.service';
import {
  actorOf,
  pageJson,
  registryPageSize,
  versionField,
  visibleModels,
} from './registry-fields';
import { TransitionStageDocs } from './registry.docs';
import { modelVersionJson, transitionRequestJson } from './registry.json';

@MlflowController('model-versions')
export class ModelVersionsController {
  constructor(
    private readonly versions: ModelVersionsService,
    private readonly access: AccessService,
    private readonly approvals: ApprovalsService,
  ) {}

  @Post('model-versions/create')
  @Ok()
  @Access.model('EDIT')
  @ApiOperation({ summary: 'Register a new version of a model (e.g. from runs:/<run_id>/model)' })
  async create(@Fields() f: RequestFields) {
    const version = await this.versions.create({
      name: f.requiredString('name'),
      source: f.requiredString('source'),
      runId: f.string('run_id') || undefined,
      runLink: f.string('run_link') || undefined,
      description: f.string('description') || undefined,
      modelId: f.string('model_id') || undefined,
      tags: keyValues(f, 'tags'),
    });
    return { model_version: modelVersionJson(version) };
  }

  @Get('model-versions/get')
  @Access.model('READ')
  @ApiOperation({ summary: 'Get a model version' })
  async get(@Fields() f: RequestFields) {
    const version = await this.versions.get(f.requiredString('name'), versionField(f));
    return { model_version: modelVersionJson(version) };
  }

  @Patch('model-versions/update')
  @Access.model('EDIT')
  @ApiOperation({ summary: "Update a model version's description" })
  async update(@Fields() f: RequestFields) {
    const version = await this.versions.update(
      f.requiredString('name'),
      versionField(f),
      f.string('description') ?? '',
    );
    return { model_version: modelVersionJson(version) };
  }

  @Post('model-versions/transition-stage')
  @Ok()
  @Access.model('EDIT')
  @TransitionStageDocs()
  async transitionStage(
    @Caller() caller: Principal,
    @Fields() f: RequestFields,
    @ActorName() user: string,
  ) {
    const name = f.requiredString('name');
    const version = versionField(f);
    const stage = f.requiredString('stage');
    const archiveExisting = f.bool('archive_existing_versions') ?? false;
    if (await this.needsApproval(caller, name)) {
      // The version stays where it is; MLflow clients ignore the extra field.
      const pending = await this.approvals.request({
        name,
        version,
        stage,
        archiveExisting,
        user,
        comment: f.string('comment') || undefined,
      });
      return {
        model_version: modelVersionJson(pending.version),
        pending_request: transitionRequestJson(pending.request),
      };
    }
    const moved = await this.versions.transitionStage(
      name,
      version,
      stage,
      archiveExisting,
      actorOf(user, f),
    );
    return { model_version: modelVersionJson(moved) };
  }

  /** The model requires approval and the caller holds less than MANAGE on it. */
  private async needsApproval(caller: Principal, name: string): Promise<boolean> {
    if (!(await this.approvals.requiresApproval(name))) return false;
    const permission = await this.access.permissionOnAll(caller, 'registered_model', [name]);
    return !atLeast(permission, 'MANAGE');
  }

  @Delete('model-versions/delete')
  @Access.model('MANAGE')
  @ApiOperation({ summary: 'Delete a model version (JSON body); its number is never reused' })
  async delete(@Fields() f: RequestFields, @ActorName() user: string) {
    await this.versions.delete(f.requiredString('name'), versionField(f), actorOf(user, f));
    return {};
  }

  @Get('model-versions/search')
  @Access.authenticated()
  @ApiOperation({
    summary: 'Search model versions (name, run_id, source_path, version_number, tags)',
  })
  async search(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const maxResults = registryPageSize(f, 200000, 200000);
    const page = await this.versions.search({
      filter: f.string('filter') ?? '',
      orderBy: f.stringList('order_by'),
      maxResults,
      pageToken: f.string('page_token') || undefined,
      visible: await visibleModels(this.access, caller),
    });
    return pageJson('model_versions', page, modelVersionJson);
  }

  @Get('model-versions/get-download-uri')
  @Access.model('READ')
  @ApiOperation({
    summary:
      "Where a model version's files are (runs:/ sources as given, like MLflow; models:/ resolved)",
  })
  async downloadUri(@Fields() f: RequestFields) {
    const uri = await this.versions.downloadUri(f.requiredString('name'), versionField(f));
    return { artifact_uri: uri };
  }

  @Post('model-versions/set-tag')
  @Ok()
  @Access.model('EDIT')
  @ApiOperation({ summary: 'Set a tag on a model version' })
  async setTag(@Fields() f: RequestFields) {
    const value = f.string('value');
    if (value === undefined) throw MlflowError.invalid('Tag value cannot be None.');
    await this.versions.setTag(f.requiredString('name'), versionField(f), {
      key: f.requiredString('key'),
      value,
    });
    return {};
  }

  @Delete('model-versions/delete-tag')
  @Access.model('MANAGE')
  @ApiOperation({ summary: 'Delete a tag of a model version (JSON body)' })
  async deleteTag(@Fields() f: RequestFields) {
    await this.versions.deleteTag(
      f.requiredString('name'),
      versionField(f),
      f.requiredString('key'),
    );
    return {};
  }
}
