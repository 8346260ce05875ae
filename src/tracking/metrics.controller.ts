import { Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { MetricsService } from './metrics.service';
import { doubleJson, metricJson } from './tracking.json';

const MAX_BULK_RUNS = 100;

@MlflowController('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics/get-history')
  @Access.run('READ')
  @ApiOperation({ summary: 'Full history of one metric of a run, in pages of 25000 points' })
  async history(@Fields() f: RequestFields) {
    // Validated but not a page size: MLflow 2.x returns the whole history whatever it says.
    f.int64('max_results');
    const page = await this.metrics.history(
      f.runId(),
      f.requiredString('metric_key'),
      f.string('page_token') || undefined,
    );
    return {
      ...(page.items.length > 0 ? { metrics: page.items.map(metricJson) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }

  @Get('metrics/get-history-bulk')
  @Access.runs('READ', 'run_id')
  @ApiOperation({ summary: 'History of one metric for several runs (UI route)' })
  async bulk(@Fields() f: RequestFields) {
    const runIds = runIdsOf(f, 'run_id');
    const key = f.requiredString('metric_key');
    const maxResults = Math.min(f.int64('max_results') ?? 25000, 25000);
    return bulkJson(await this.metrics.bulk(runIds, key, maxResults));
  }

  @Get('metrics/get-history-bulk-interval')
  @Access.runs('READ', 'run_ids')
  @ApiOperation({
    summary: 'History of one metric for several runs, each downsampled to max_results points',
  })
  async bulkInterval(@Fields() f: RequestFields) {
    const runIds = runIdsOf(f, 'run_ids');
    const key = f.requiredString('metric_key');
    const maxResults = f.int64('max_results') ?? 2500;
    if (maxResults < 1 || maxResults > 2500) {
      throw MlflowError.invalid(`max_results must be between 1 and 2500, got ${maxResults}.`);
    }
    const start = f.int64('start_step');
    const end = f.int64('end_step');
    if ((start === undefined) !== (end === undefined)) {
      throw MlflowError.invalid(
        'If either start step or end step are specified, both must be specified.',
      );
    }
    if (start !== undefined && end !== undefined && start > end) {
      throw MlflowError.invalid('end_step must be greater than or equal to start_step.');
    }
    const steps = start !== undefined && end !== undefined ? { start, end } : undefined;
    return bulkJson(await this.metrics.sampled(runIds, key, maxResults, steps));
  }
}

function runIdsOf(f: RequestFields, name: string): string[] {
  const runIds = f.stringList(name);
  if (runIds.length === 0) {
    throw MlflowError.invalid(`GetMetricHistoryBulk request must specify at least one run_id.`);
  }
  if (runIds.length > MAX_BULK_RUNS) {
    throw MlflowError.invalid(
      `GetMetricHistoryBulk request cannot specify more than ${MAX_BULK_RUNS} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  return runIds;
}

function bulkJson(
  points: { runId: string; key: string; value: number; timestamp: number; step: number }[],
) {
  return {
    metrics: points.map((m) => ({
      key: m.key,
      value: doubleJson(m.value),
      timestamp: m.timestamp,
      step: m.step,
      run_id: m.runId,
    })),
  };
}
