import type { Experiment, KeyValue, LifecycleStage } from './entities';

/** Persistence of experiments and their tags; one transaction per method. */
export abstract class ExperimentsStore {
  /** Creates an experiment; `artifactLocation` defaults to `mlflow-artifacts:/<id>`. Returns the id. */
  abstract create(
    name: string,
    artifactLocation: string | undefined,
    tags: KeyValue[],
  ): Promise<string>;
  abstract get(id: number): Promise<Experiment | null>;
  /** The active experiment of that name, else a deleted one. */
  abstract getByName(name: string): Promise<Experiment | null>;
  abstract getMany(ids: number[]): Promise<Experiment[]>;
  abstract nameTaken(name: string): Promise<boolean>;
  /** Moves the experiment and all its runs to `stage`. */
  abstract setLifecycle(id: number, stage: LifecycleStage): Promise<void>;
  abstract rename(id: number, newName: string): Promise<void>;
  abstract setTag(id: number, tag: KeyValue): Promise<void>;
  /** Returns false when the tag did not exist. */
  abstract deleteTag(id: number, key: string): Promise<boolean>;
  /** Ids of the page, for a parameterised query built by the search module. */
  abstract searchIds(sql: { text: string; values: unknown[] }): Promise<number[]>;
}
