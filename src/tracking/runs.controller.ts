import { Get, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController, Ok } from 'src/common/mlflow-controller';
import { missingParameter, type RequestFields } from 'src/common/request-fields';
import { pageSize } from 'src/common/page-size';
import { RUN_STATUSES, VIEW_TYPES, type DatasetInput, type Metric } from './entities';
import { keyValues } from './key-values';
import { RunsService } from './runs.service';
import { RunSearchService } from './run-search.service';
import { runInfoJson, runJson } from './tracking.json';

function metricOf(f: RequestFields): Metric {
  const key = f.requiredString('key');
  const value = f.double('value');
  if (value === undefined) throw missingParameter('value');
  return { key, value, timestamp: f.requiredInt64('timestamp'), step: f.int64('step') ?? 0 };
}

function datasetInputOf(f: RequestFields): DatasetInput {
  const d = f.object('dataset');
  if (!d) throw missingParameter('dataset');
  return {
    tags: keyValues(f, 'tags'),
    dataset: {
      name: d.requiredString('name'),
      digest: d.requiredString('digest'),
      sourceType: d.requiredString('source_type'),
      source: d.requiredString('source'),
      schema: d.string('schema'),
      profile: d.string('profile'),
    },
  };
}

@MlflowController('runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly runSearch: RunSearchService,
    private readonly access: AccessService,
  ) {}

  @Post('runs/create')
  @Ok()
  @Access.experiment('EDIT')
  @ApiOperation({ summary: 'Create a run' })
  async create(@Fields() f: RequestFields) {
    const run = await this.runs.create({
      experimentId: f.id('experiment_id') ?? '',
      userId: f.string('user_id'),
      runName: f.string('run_name'),
      startTime: f.int64('start_time'),
      tags: keyValues(f, 'tags'),
    });
    return { run: runJson(run) };
  }

  @Get('runs/get')
  @Access.run('READ')
  @ApiOperation({ summary: 'Get a run with its latest metrics, params, tags and inputs' })
  async get(@Fields() f: RequestFields) {
    return { run: runJson(await this.runs.get(f.runId())) };
  }

  @Post('runs/update')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Update status, end time or name of a run' })
  async update(@Fields() f: RequestFields) {
    const info = await this.runs.update(f.runId(), {
      status: f.has('status') ? f.enumName('status', RUN_STATUSES, 'RUNNING') : undefined,
      endTime: f.int64('end_time'),
      runName: f.string('run_name') || undefined,
    });
    return { run_info: runInfoJson(info) };
  }

  @Post('runs/delete')
  @Ok()
  @Access.run('MANAGE')
  @ApiOperation({ summary: 'Delete a run (restorable)' })
  async delete(@Fields() f: RequestFields) {
    await this.runs.delete(f.runId());
    return {};
  }

  @Post('runs/restore')
  @Ok()
  @Access.run('MANAGE')
  @ApiOperation({ summary: 'Restore a deleted run' })
  async restore(@Fields() f: RequestFields) {
    await this.runs.restore(f.runId());
    return {};
  }

  @Post('runs/log-metric')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Log one metric value' })
  async logMetric(@Fields() f: RequestFields) {
    await this.runs.logMetric(f.runId(), metricOf(f));
    return {};
  }

  @Post('runs/log-parameter')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Log a param (immutable once logged)' })
  async logParam(@Fields() f: RequestFields) {
    await this.runs.logParam(f.runId(), {
      key: f.requiredString('key'),
      value: f.string('value') ?? '',
    });
    return {};
  }

  @Post('runs/set-tag')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Set a tag on a run' })
  async setTag(@Fields() f: RequestFields) {
    await this.runs.setTag(f.runId(), {
      key: f.requiredString('key'),
      value: f.string('value') ?? '',
    });
    return {};
  }

  @Post('runs/delete-tag')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Delete a tag of a run' })
  async deleteTag(@Fields() f: RequestFields) {
    await this.runs.deleteTag(f.runId(), f.requiredString('key'));
    return {};
  }

  @Post('runs/log-batch')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Log metrics, params and tags in one transaction' })
  async logBatch(@Fields() f: RequestFields) {
    await this.runs.logBatch(f.runId(), {
      metrics: f.objectList('metrics').map(metricOf),
      params: keyValues(f, 'params'),
      tags: keyValues(f, 'tags'),
    });
    return {};
  }

  @Post('runs/log-model')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: "Record a logged model in the run's model history" })
  async logModel(@Fields() f: RequestFields) {
    await this.runs.logModel(f.runId(), f.requiredString('model_json'));
    return {};
  }

  @Post('runs/log-inputs')
  @Ok()
  @Access.run('EDIT')
  @ApiOperation({ summary: 'Log datasets used by a run' })
  async logInputs(@Fields() f: RequestFields) {
    await this.runs.logInputs(f.runId(), f.objectList('datasets').map(datasetInputOf));
    return {};
  }

  @Post('runs/search')
  @Ok()
  @Access.authenticated()
  @ApiOperation({ summary: 'Search runs with a filter (MLflow grammar)' })
  async search(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const page = await this.runSearch.search({
      experimentIds: f.stringList('experiment_ids'),
      filter: f.string('filter') ?? '',
      orderBy: f.stringList('order_by'),
      viewType: f.enumName('run_view_type', VIEW_TYPES, 'ACTIVE_ONLY'),
      maxResults: pageSize(f, 1000, 50000),
      pageToken: f.string('page_token') || undefined,
      scope: await this.access.readScope(caller, 'experiment'),
    });
    return {
      ...(page.items.length > 0 ? { runs: page.items.map(runJson) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }
}
