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
  abstract searchIds(sql: { text: string; values: unknown[] }): Promise<string[]>;
}
