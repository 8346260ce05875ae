import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { Fields } from 'src/common/fields.decorator';
import { KILN_API_PREFIX } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { MetricsService } from './metrics.service';
import { metricJson } from './tracking.json';

const MAX_POINTS = 10_000;

/** Kiln's chart endpoint: one metric of one run, downsampled on the server. */
@ApiTags('metrics')
@Controller(KILN_API_PREFIX)
export class KilnMetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics/history')
  @Access.run('READ')
  @ApiOperation({
    summary:
      'History of one metric, at most max_points points (default 320) spread evenly over the ' +
      'step range, always keeping the first and last step',
  })
  async history(@Fields() f: RequestFields) {
    const maxPoints = f.int64('max_points') ?? 320;
    if (maxPoints < 2 || maxPoints > MAX_POINTS) {
      throw MlflowError.invalid(
        `max_points must be between 2 and ${MAX_POINTS}, got ${maxPoints}.`,
      );
    }
    const start = f.int64('start_step');
    const end = f.int64('end_step');
    const steps =
      start !== undefined || end !== undefined
        ? { start: start ?? Number.MIN_SAFE_INTEGER, end: end ?? Number.MAX_SAFE_INTEGER }
        : undefined;
    const points = await this.metrics.sampled(
      [f.runId()],
      f.requiredString('metric_key'),
      maxPoints,
      steps,
    );
    return { metrics: points.map(metricJson) };
  }
}
