import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { requestFields } from 'src/common/fields.decorator';
import { MlflowError } from 'src/common/mlflow-error';
import { ExperimentsService } from 'src/tracking/experiments.service';
import { LoggedModelsService } from 'src/tracking/logged-models.service';
import { RunsService } from 'src/tracking/runs.service';
import type { IdSource } from './access.decorator';

/** The resource id of artifact paths outside every experiment: no grant names it. */
export const OUTSIDE_EXPERIMENTS = '*';

/**
 * The experiment whose folder holds a proxied artifact path (`<experiment id>/<run id>/...`).
 * Outside any experiment's folder (the root, say) only the default permission applies.
 */
export function experimentOfArtifactKey(path: string): string {
  const match = /^(\d+)(\/|$)/.exec(path);
  return match ? match[1] : OUTSIDE_EXPERIMENTS;
}

/** A lookup of something that does not exist yields no ids: the route itself answers 404. */
async function orNothing(lookup: () => Promise<string>): Promise<string[]> {
  try {
    return [await lookup()];
  } catch (err) {
    if (err instanceof MlflowError) return [];
    throw err;
  }
}

/**
 * Finds the ids of the resources a request touches (experiment ids or model names), so the
 * guard can check them as a set. A run's experiment never changes, so that mapping is cached.
 */
@Injectable()
export class ResourceIds {
  private readonly runExperiment = new LRUCache<string, string>({ max: 100_000 });

  constructor(
    private readonly runs: RunsService,
    private readonly experiments: ExperimentsService,
    private readonly loggedModels: LoggedModelsService,
  ) {}

  async of(source: IdSource, req: Request): Promise<string[]> {
    const f = requestFields(req);
    switch (source.from) {
      case 'experiment':
        return f.has(source.field) ? [f.requiredId(source.field)] : [];
      case 'experimentName':
        return f.has(source.field)
          ? orNothing(
              async () =>
                (await this.experiments.getByName(f.requiredString(source.field))).experimentId,
            )
          : [];
      case 'run': {
        const runId = f.string(source.field) || f.string('run_uuid');
        return runId ? orNothing(() => this.experimentOfRun(runId)) : [];
      }
      case 'runs': {
        const ids = await Promise.all(
          f.stringList(source.field).map((runId) => orNothing(() => this.experimentOfRun(runId))),
        );
        return [...new Set(ids.flat())];
      }
      case 'loggedModel':
        return orNothing(
          async () =>
            (await this.loggedModels.get(String(req.params[source.param]), true)).experimentId,
        );
      case 'artifactPath': {
        const raw = req.params[source.param];
        const path = Array.isArray(raw) ? raw.join('/') : String(raw ?? f.string('path') ?? '');
        return [experimentOfArtifactKey(path)];
      }
      case 'model':
        return f.has(source.field) ? [f.requiredString(source.field)] : [];
    }
  }

  private async experimentOfRun(runId: string): Promise<string> {
    const cached = this.runExperiment.get(runId);
    if (cached !== undefined) return cached;
    const { experimentId } = await this.runs.getInfo(runId);
    this.runExperiment.set(runId, experimentId);
    return experimentId;
  }
}
