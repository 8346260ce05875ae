import { Get, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { GrantsCreator } from 'src/auth/creator-grant';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController, Ok } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import { pageSize } from 'src/common/page-size';
import type { RequestFields } from 'src/common/request-fields';
import { VIEW_TYPES } from './entities';
import { ExperimentsService } from './experiments.service';
import { experimentJson } from './tracking.json';
import { keyValues } from './key-values';

@MlflowController('experiments')
export class ExperimentsController {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly access: AccessService,
  ) {}

  @Post('experiments/create')
  @Ok()
  @Access.authenticated({ write: true })
  @GrantsCreator('experiment', (answer) => String(answer.experiment_id))
  @ApiOperation({ summary: 'Create an experiment' })
  async create(@Fields() f: RequestFields) {
    const name = f.requiredString('name');
    const id = await this.experiments.create(
      name,
      f.string('artifact_location') || undefined,
      keyValues(f, 'tags'),
    );
    return { experiment_id: id };
  }

  @Get('experiments/get')
  @Access.experiment('READ')
  @ApiOperation({ summary: 'Get an experiment by id (deleted ones too)' })
  async get(@Fields() f: RequestFields) {
    return {
      experiment: experimentJson(await this.experiments.get(f.requiredId('experiment_id'))),
    };
  }

  @Get('experiments/get-by-name')
  @Access.experimentByName('READ')
  @ApiOperation({ summary: 'Get an experiment by name' })
  async getByName(@Fields() f: RequestFields) {
    const experiment = await this.experiments.getByName(f.requiredString('experiment_name'));
    return { experiment: experimentJson(experiment) };
  }

  @Post('experiments/delete')
  @Ok()
  @Access.experiment('MANAGE')
  @ApiOperation({ summary: 'Delete an experiment and its runs (restorable)' })
  async delete(@Fields() f: RequestFields) {
    await this.experiments.delete(f.requiredId('experiment_id'));
    return {};
  }

  @Post('experiments/restore')
  @Ok()
  @Access.experiment('MANAGE')
  @ApiOperation({ summary: 'Restore a deleted experiment and its runs' })
  async restore(@Fields() f: RequestFields) {
    await this.experiments.restore(f.requiredId('experiment_id'));
    return {};
  }

  @Post('experiments/update')
  @Ok()
  @Access.experiment('EDIT')
  @ApiOperation({ summary: 'Rename an experiment' })
  async update(@Fields() f: RequestFields) {
    await this.experiments.rename(f.requiredId('experiment_id'), f.requiredString('new_name'));
    return {};
  }

  @Post('experiments/set-experiment-tag')
  @Ok()
  @Access.experiment('EDIT')
  @ApiOperation({ summary: 'Set a tag on an experiment' })
  async setTag(@Fields() f: RequestFields) {
    await this.experiments.setTag(f.requiredId('experiment_id'), {
      key: f.requiredString('key'),
      value: f.string('value') ?? '',
    });
    return {};
  }

  @Post('experiments/delete-experiment-tag')
  @Ok()
  @Access.experiment('EDIT')
  @ApiOperation({ summary: 'Delete a tag of an experiment' })
  async deleteTag(@Fields() f: RequestFields) {
    await this.experiments.deleteTag(f.requiredId('experiment_id'), f.requiredString('key'));
    return {};
  }

  @Post('experiments/search')
  @Ok()
  @Access.authenticated()
  @ApiOperation({ summary: 'Search experiments with a filter (MLflow grammar)' })
  async searchPost(@Caller() caller: Principal, @Fields() f: RequestFields) {
    return this.search(caller, f);
  }

  @Get('experiments/search')
  @Access.authenticated()
  @ApiOperation({ summary: 'Search experiments with a filter (MLflow grammar)' })
  async searchGet(@Caller() caller: Principal, @Fields() f: RequestFields) {
    return this.search(caller, f);
  }

  private async search(caller: Principal, f: RequestFields) {
    const maxResults = pageSize(f, 1000, 50000);
    if (maxResults === 0) {
      throw MlflowError.invalid('Invalid value 0 for parameter max_results: it must be positive.');
    }
    const page = await this.experiments.searchExperiments({
      filter: f.string('filter') ?? '',
      orderBy: f.stringList('order_by'),
      viewType: f.enumName('view_type', VIEW_TYPES, 'ACTIVE_ONLY'),
      maxResults,
      pageToken: f.string('page_token') || undefined,
      scope: await this.access.readScope(caller, 'experiment'),
    });
    return {
      ...(page.items.length > 0 ? { experiments: page.items.map(experimentJson) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }
}
