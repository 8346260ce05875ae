import { Module } from '@nestjs/common';
import { ExperimentsController } from './experiments.controller';
import { PrismaExperimentsStore } from './experiments.prisma-store';
import { ExperimentsService } from './experiments.service';
import { ExperimentsStore } from './experiments.store';
import { LoggedModelsController } from './logged-models.controller';
import { PrismaLoggedModelsStore } from './logged-models.prisma-store';
import { LoggedModelsService } from './logged-models.service';
import { LoggedModelsStore } from './logged-models.store';
import { KilnMetricsController } from './kiln-metrics.controller';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RunSearchService } from './run-search.service';
import { RunsController } from './runs.controller';
import { PrismaRunsStore } from './runs.prisma-store';
import { RunsService } from './runs.service';
import { RunsStore } from './runs.store';

@Module({
  controllers: [
    ExperimentsController,
    RunsController,
    MetricsController,
    KilnMetricsController,
    LoggedModelsController,
  ],
  providers: [
    ExperimentsService,
    RunsService,
    RunSearchService,
    MetricsService,
    LoggedModelsService,
    { provide: ExperimentsStore, useClass: PrismaExperimentsStore },
    { provide: RunsStore, useClass: PrismaRunsStore },
    { provide: LoggedModelsStore, useClass: PrismaLoggedModelsStore },
  ],
  exports: [ExperimentsService, RunsService, LoggedModelsService],
})
export class TrackingModule {}
