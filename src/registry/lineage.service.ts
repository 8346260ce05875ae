import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import type { Experiment, Run } from 'src/tracking/entities';
import { ExperimentsService } from 'src/tracking/experiments.service';
import { RunsService } from 'src/tracking/runs.service';
import { parseRunsUri } from './model-uri';
import { ModelVersionsService } from './model-versions.service';
import type { ModelVersion } from './registry.entities';

/** A version with where its files are, the run that produced it and that run's experiment. */
export interface Lineage {
  version: ModelVersion;
  artifactUri: string;
  /** The run id the version names (its `run_id`, else the run of a `runs:/` source). */
  runId: string | null;
  /** The run with its params, latest metrics, tags and dataset inputs; null when it is gone. */
  run: Run | null;
  experiment: Experiment | null;
}

function isNotFound(err: unknown): boolean {
  return err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST';
}

@Injectable()
export class LineageService {
  constructor(
    private readonly versions: ModelVersionsService,
    private readonly runs: RunsService,
    private readonly experiments: ExperimentsService,
  ) {}

  async lineage(name: string, version: string): Promise<Lineage> {
    const mv = await this.versions.get(name, version);
    const artifactUri = await this.versions.locationOf(mv);
    const runId = mv.runId || parseRunsUri(mv.source)?.runId || null;
    const run = runId ? await this.runs.get(runId).catch(orNull) : null;
    const experiment = run ? await this.experiments.get(run.info.experimentId).catch(orNull) : null;
    return { version: mv, artifactUri, runId, run, experiment };
  }
}

function orNull(err: unknown): null {
  if (isNotFound(err)) return null;
  throw err;
}
