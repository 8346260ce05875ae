/** Model registry domain types, as stores return them (no Prisma, no HTTP). Times are epoch ms. */
import type { KeyValue } from 'src/tracking/entities';

export type { KeyValue };

/** The stages MLflow accepts and returns, in MLflow's order. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];
/** Stages whose other versions `archive_existing_versions` may archive. */
export const ACTIVE_STAGES: readonly Stage[] = ['Staging', 'Production'];
/** The stored stage of a deleted version: never returned, never matched. */
export const DELETED_STAGE = 'Deleted_Internal';

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId: string | null;
  currentStage: Stage;
  description: string | null;
  source: string;
  /** Where the files are, when the source was resolved at creation (`runs:/`, `models:/`). */
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  status: string;
  statusMessage: string | null;
  modelId: string | null;
  tags: KeyValue[];
  /** Filled only where MLflow fills it (single-version reads and writes, get-latest-versions). */
  aliases: string[];
}

export interface ModelAlias {
  alias: string;
  version: number;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  /** The highest version in each stage (deleted versions excluded), by version ascending. */
  latestVersions: ModelVersion[];
  tags: KeyValue[];
  aliases: ModelAlias[];
}

export interface NewRegisteredModel {
  name: string;
  description?: string;
  tags: KeyValue[];
}

export interface NewModelVersion {
  name: string;
  source: string;
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  description: string | null;
  modelId: string | null;
  userId: string | null;
  tags: KeyValue[];
}

export interface VersionKey {
  name: string;
  version: number;
}

/** Who made a change, and why (the optional comment of the audit trail). */
export interface Actor {
  userId: string;
  comment?: string;
}

export const AUDIT_ACTIONS = [
  'TRANSITION_STAGE',
  'SET_ALIAS',
  'DELETE_ALIAS',
  'DELETE_MODEL_VERSION',
  'RENAME_REGISTERED_MODEL',
  'DELETE_REGISTERED_MODEL',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One entry of the audit trail. `from`/`to` are stages for TRANSITION_STAGE, version numbers
 * for alias changes (absent on the side where the alias did not exist), names for a rename.
 */
export interface AuditEvent {
  id: number;
  name: string;
  version: number | null;
  action: AuditAction;
  alias: string | null;
  from: string | null;
  to: string | null;
  userId: string;
  timestamp: number;
  comment: string | null;
}
