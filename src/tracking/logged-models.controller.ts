import { Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController, Ok } from 'src/common/mlflow-controller';
import { missingParameter, type RequestFields } from 'src/common/request-fields';
import { pageSize } from 'src/common/page-size';
import { LOGGED_MODEL_STATUSES } from './entities';
import { keyValues } from './key-values';
import { LoggedModelsService } from './logged-models.service';
import { loggedModelJson } from './tracking.json';

@MlflowController('logged-models')
export class LoggedModelsController {
  constructor(
    private readonly models: LoggedModelsService,
    private readonly access: AccessService,
  ) {}

  @Post('logged-models')
  @Ok()
  @Access.experiment('EDIT')
  @ApiOperation({ summary: 'Create a logged model (MLflow 3)' })
  async create(@Fields() f: RequestFields) {
    const model = await this.models.create({
      experimentId: f.requiredId('experiment_id'),
      name: f.string('name'),
      modelType: f.string('model_type'),
      sourceRunId: f.string('source_run_id') || undefined,
      params: keyValues(f, 'params'),
      tags: keyValues(f, 'tags'),
    });
    return { model: loggedModelJson(model) };
  }

  @Post('logged-models/search')
  @Ok()
  @Access.authenticated()
  @ApiOperation({ summary: 'List logged models of experiments' })
  async search(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const page = await this.models.search({
      experimentIds: f.stringList('experiment_ids'),
      filter: f.string('filter') ?? '',
      maxResults: pageSize(f, 50, 1000),
      pageToken: f.string('page_token') || undefined,
      scope: await this.access.readScope(caller, 'experiment'),
    });
    return {
      ...(page.items.length > 0 ? { models: page.items.map(loggedModelJson) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }

  @Get('logged-models/:model_id')
  @Access.loggedModel('READ')
  @ApiOperation({ summary: 'Get a logged model' })
  async get(@Param('model_id') modelId: string, @Fields() f: RequestFields) {
    return { model: loggedModelJson(await this.models.get(modelId, f.bool('allow_deleted'))) };
  }

  @Patch('logged-models/:model_id')
  @Access.loggedModel('EDIT')
  @ApiOperation({ summary: 'Finalize a logged model (READY or UPLOAD_FAILED)' })
  async finalize(@Param('model_id') modelId: string, @Fields() f: RequestFields) {
    if (!f.has('status')) throw missingParameter('status');
    const status = f.enumName(
      'status',
      LOGGED_MODEL_STATUSES.slice(1),
      'LOGGED_MODEL_STATUS_UNSPECIFIED',
    );
    return { model: loggedModelJson(await this.models.finalize(modelId, status)) };
  }

  @Delete('logged-models/:model_id')
  @Access.loggedModel('MANAGE')
  @ApiOperation({ summary: 'Delete a logged model' })
  async delete(@Param('model_id') modelId: string) {
    await this.models.delete(modelId);
    return {};
  }

  @Patch('logged-models/:model_id/tags')
  @Access.loggedModel('EDIT')
  @ApiOperation({ summary: 'Set tags on a logged model' })
  async setTags(@Param('model_id') modelId: string, @Fields() f: RequestFields) {
    await this.models.setTags(modelId, keyValues(f, 'tags'));
    return {};
  }

  @Delete('logged-models/:model_id/tags/:tag_key')
  @Access.loggedModel('MANAGE')
  @ApiOperation({ summary: 'Delete a tag of a logged model' })
  async deleteTag(@Param('model_id') modelId: string, @Param('tag_key') key: string) {
    await this.models.deleteTag(modelId, key);
    return {};
  }

  @Post('logged-models/:model_id/params')
  @Ok()
  @Access.loggedModel('EDIT')
  @ApiOperation({ summary: 'Log params of a logged model' })
  async logParams(@Param('model_id') modelId: string, @Fields() f: RequestFields) {
    await this.models.logParams(modelId, keyValues(f, 'params'));
    return {};
  }
}
