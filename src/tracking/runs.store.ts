import type { RunSearchRow, SqlQuery } from 'src/search';
import type {
  Batch,
  DatasetInput,
  LifecycleStage,
  Metric,
  NewRun,
  Run,
  RunInfo,
  RunUpdate,
} from './entities';

/** A param of the batch that was already logged with another value; the batch wrote nothing. */
export class ParamConflict extends Error {
  constructor(
    readonly key: string,
    readonly oldValue: string,
    readonly newValue: string,
  ) {
    super(`param ${key} already has another value`);
  }
}

/** Where a metric-history page starts: after this (step, timestamp, value). */
export interface HistoryCursor {
  step: number;
  timestamp: number;
  value: number;
}

/** Persistence of runs and everything logged to them; one transaction per method. */
export abstract class RunsStore {
  abstract create(run: NewRun): Promise<void>;
  abstract getInfo(runId: string): Promise<RunInfo | null>;
  /** Full runs (latest metrics, params, tags, inputs), in the order of `runIds`. */
  abstract getRuns(runIds: string[]): Promise<Run[]>;
  abstract update(runId: string, update: RunUpdate): Promise<RunInfo>;
  abstract setLifecycle(runId: string, stage: LifecycleStage): Promise<void>;
  /** Writes the whole batch or nothing; throws ParamConflict when a param would change. */
  abstract logBatch(runId: string, batch: Batch): Promise<void>;
  /**
   * Logs metrics in one atomic step if the run is active. Returns the run's lifecycle stage as
   * seen by that step (nothing was written unless it is 'active'), or null if there is no run.
   */
  abstract logMetrics(runId: string, metrics: Metric[]): Promise<LifecycleStage | null>;
  abstract deleteTag(runId: string, key: string): Promise<boolean>;
  /** Appends a model's JSON to the run's `mlflow.log-model.history` tag (a JSON array). */
  abstract appendLoggedModel(runId: string, modelJson: unknown): Promise<void>;
  abstract logInputs(runId: string, experimentId: string, inputs: DatasetInput[]): Promise<void>;
  /** One page of a metric's history, ordered by step, timestamp, value. */
  abstract metricHistory(
    runId: string,
    key: string,
    after: HistoryCursor | undefined,
    limit: number,
  ): Promise<Metric[]>;
  /** The first `perRun` points of one key for each run, in run id and then step order. */
  abstract historyOfRuns(
    runIds: string[],
    key: string,
    perRun: number,
  ): Promise<(Metric & { runId: string })[]>;
  /** History of one key for several runs, each run downsampled to at most `perRun` points. */
  abstract sampledHistory(
    runIds: string[],
    key: string,
    perRun: number,
    steps?: { start: number; end: number },
  ): Promise<(Metric & { runId: string })[]>;
  /** Runs a compiled search query (src/search); rows come back in the query's order. */
  abstract searchRows(sql: SqlQuery): Promise<RunSearchRow[]>;
}
