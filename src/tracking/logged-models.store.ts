import type { KeyValue, LoggedModel, LoggedModelStatus } from './entities';

export interface NewLoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  modelType?: string;
  sourceRunId?: string;
  artifactUri: string;
  params: KeyValue[];
  tags: KeyValue[];
}

/** Persistence of MLflow 3 logged models; one transaction per method. */
export abstract class LoggedModelsStore {
  abstract create(model: NewLoggedModel): Promise<void>;
  /** The model, unless deleted (or `withDeleted`). */
  abstract get(modelId: string, withDeleted?: boolean): Promise<LoggedModel | null>;
  abstract setStatus(modelId: string, status: LoggedModelStatus): Promise<void>;
  abstract delete(modelId: string): Promise<void>;
  abstract setTags(modelId: string, tags: KeyValue[]): Promise<void>;
  abstract deleteTag(modelId: string, key: string): Promise<boolean>;
  abstract logParams(modelId: string, params: KeyValue[]): Promise<void>;
  /** Active models of the experiments, newest first, then by id; `limit` rows from `offset`. */
  abstract list(experimentIds: number[], offset: number, limit: number): Promise<LoggedModel[]>;
}
