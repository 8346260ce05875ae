import { Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { GrantsCreator } from 'src/auth/creator-grant';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController, Ok } from 'src/common/mlflow-controller';
import type { RequestFields } from 'src/common/request-fields';
import { keyValues } from 'src/tracking/key-values';
import { ActorName } from './actor.decorator';
import { RegisteredModelsService } from './registered-models.service';
import {
  actorOf,
  pageJson,
  registryPageSize,
  versionField,
  visibleModels,
} from './registry-fields';
import { DeleteAliasDocs, GetAliasDocs, SetAliasDocs } from './registry.docs';
import { modelVersionJson, registeredModelJson } from './registry.json';

@MlflowController('registered-models')
export class RegisteredModelsController {
  constructor(
    private readonly models: RegisteredModelsService,
    private readonly access: AccessService,
  ) {}

  @Post('registered-models/create')
  @Ok()
  @Access.authenticated({ write: true })
  @GrantsCreator('registered_model', (answer) =>
    String((answer.registered_model as { name: unknown }).name),
  )
  @ApiOperation({ summary: 'Create a registered model' })
  async create(@Fields() f: RequestFields) {
    const model = await this.models.create(
      f.requiredString('name'),
      keyValues(f, 'tags'),
      f.string('description') || undefined,
    );
    return { registered_model: registeredModelJson(model) };
  }

  @Post('registered-models/rename')
  @Ok()
  @Access.model('EDIT')
  @ApiOperation({ summary: 'Rename a registered model (its versions follow)' })
  async rename(@Fields() f: RequestFields, @ActorName() user: string) {
    const model = await this.models.rename(
      f.requiredString('name'),
      f.requiredString('new_name'),
      actorOf(user, f),
    );
    return { registered_model: registeredModelJson(model) };
  }

  @Patch('registered-models/update')
  @Access.model('EDIT')
  @ApiOperation({ summary: "Update a registered model's description" })
  async update(@Fields() f: RequestFields) {
    const model = await this.models.update(f.requiredString('name'), f.string('description') ?? '');
    return { registered_model: registeredModelJson(model) };
  }

  @Delete('registered-models/delete')
  @Access.model('MANAGE')
  @ApiOperation({ summary: 'Delete a registered model with its versions (JSON body)' })
  async delete(@Fields() f: RequestFields, @ActorName() user: string) {
    await this.models.delete(f.requiredString('name'), actorOf(user, f));
    return {};
  }

  @Get('registered-models/get')
  @Access.model('READ')
  @ApiOperation({ summary: 'Get a registered model' })
  async get(@Fields() f: RequestFields) {
    return {
      registered_model: registeredModelJson(await this.models.get(f.requiredString('name'))),
    };
  }

  @Get('registered-models/search')
  @Access.authenticated()
  @ApiOperation({ summary: 'Search registered models (name and tags; MLflow grammar)' })
  async search(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const maxResults = registryPageSize(f, 100, 1000);
    const page = await this.models.search({
      filter: f.string('filter') ?? '',
      orderBy: f.stringList('order_by'),
      maxResults,
      pageToken: f.string('page_token') || undefined,
      visible: await visibleModels(this.access, caller),
    });
    return pageJson('registered_models', page, registeredModelJson);
  }

  @Post('registered-models/get-latest-versions')
  @Ok()
  @Access.model('READ')
  @ApiOperation({ summary: 'The latest version of a registered model in each stage' })
  async latestVersionsPost(@Fields() f: RequestFields) {
    return this.latestVersions(f);
  }

  @Get('registered-models/get-latest-versions')
  @Access.model('READ')
  @ApiOperation({ summary: 'The latest version of a registered model in each stage' })
  async latestVersionsGet(@Fields() f: RequestFields) {
    return this.latestVersions(f);
  }

  private async latestVersions(f: RequestFields) {
    const versions = await this.models.latestVersions(
      f.requiredString('name'),
      f.stringList('stages'),
    );
    return versions.length > 0 ? { model_versions: versions.map(modelVersionJson) } : {};
  }

  @Post('registered-models/set-tag')
  @Ok()
  @Access.model('EDIT')
  @ApiOperation({ summary: 'Set a tag on a registered model' })
  async setTag(@Fields() f: RequestFields) {
    await this.models.setTag(f.requiredString('name'), {
      key: f.requiredString('key'),
      value: f.string('value') ?? '',
    });
    return {};
  }

  @Delete('registered-models/delete-tag')
  @Access.model('EDIT')
  @ApiOperation({ summary: 'Delete a tag of a registered model (JSON body)' })
  async deleteTag(@Fields() f: RequestFields) {
    await this.models.deleteTag(f.requiredString('name'), f.requiredString('key'));
    return {};
  }

  @Post('registered-models/alias')
  @Ok()
  @Access.model('EDIT')
  @SetAliasDocs()
  async setAlias(@Fields() f: RequestFields, @ActorName() user: string) {
    await this.models.setAlias(
      f.requiredString('name'),
      f.requiredString('alias'),
      versionField(f),
      actorOf(user, f),
    );
    return {};
  }

  @Delete('registered-models/alias')
  @Access.model('MANAGE')
  @DeleteAliasDocs()
  async deleteAlias(@Fields() f: RequestFields, @ActorName() user: string) {
    await this.models.deleteAlias(
      f.requiredString('name'),
      f.requiredString('alias'),
      actorOf(user, f),
    );
    return {};
  }

  @Get('registered-models/alias')
  @Access.model('READ')
  @GetAliasDocs()
  async getByAlias(@Fields() f: RequestFields) {
    const version = await this.models.versionByAlias(
      f.requiredString('name'),
      f.requiredString('alias'),
    );
    return { model_version: modelVersionJson(version) };
  }
}
