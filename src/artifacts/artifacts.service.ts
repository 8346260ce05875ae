import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import { RunsService } from 'src/tracking/runs.service';
import { invalidPath, joinArtifactPath } from './artifact-path';
import {
  ArtifactIsDirectoryError,
  ArtifactNotFoundError,
  ArtifactPathError,
  ArtifactStore,
  ArtifactStoreUnavailableError,
  IncompleteUploadError,
  InvalidUploadError,
  MultipartUnsupportedError,
  UploadNotFoundError,
  type ArtifactEntry,
  type CompletedPart,
  type MultipartUpload,
  type PresignedDownload,
} from './artifact.store';
import { parseRunsUri, proxiedArtifactKey } from './artifact-uri';
import { guessContentType } from './content-type';

/** MLflow's client falls back to a single PUT only when the message starts with this sentence. */
export const MULTIPART_UNSUPPORTED =
  'Multipart upload is not supported for the current artifact repository';

/** MLflow allows at most 10,000 parts, as S3 does. */
const MAX_PARTS = 10_000;

export interface FileDownload {
  stream: Readable;
  size: number;
  contentType: string;
  fileName: string;
}

export interface ListedFile {
  path: string;
  isDir: boolean;
  size?: number;
}

/**
 * The artifact rules over the store: store failures become MLflow errors, multipart requests
 * are checked, and run artifact paths are resolved against the run's artifact root. Every path
 * given here has passed artifact-path.ts already.
 */
@Injectable()
export class ArtifactsService {
  constructor(
    private readonly store: ArtifactStore,
    private readonly runs: RunsService,
  ) {}

  /** MLflow's 501 where the store has no multipart uploads, so the client falls back. */
  assertMultipart(path: string): void {
    if (!this.store.supportsMultipart) throw toMlflowError(new MultipartUnsupportedError(), path);
  }

  private async guard<T>(path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMlflowError(err, path);
    }
  }

  upload(path: string, body: Readable, size: number | undefined): Promise<void> {
    return this.guard(path, () => this.store.put(path, body, size));
  }

  async download(path: string): Promise<FileDownload> {
    const file = await this.guard(path, () => this.store.get(path));
    const fileName = path.slice(path.lastIndexOf('/') + 1);
    return { ...file, fileName, contentType: guessContentType(fileName) };
  }

  list(path: string): Promise<ArtifactEntry[]> {
    return this.guard(path, () => this.store.list(path));
  }

  delete(path: string): Promise<void> {
    return this.guard(path, () => this.store.delete(path));
  }

  /** Removes every artifact under a folder (a run's root, for deletion and garbage collection). */
  deleteFolder(path: string): Promise<number> {
    return this.guard(path, () => this.store.deletePrefix(path));
  }

  createMultipartUpload(path: string, numParts: number): Promise<MultipartUpload> {
    this.assertMultipart(path);
    if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) {
      throw MlflowError.invalid(`num_parts must be between 1 and ${MAX_PARTS}, got ${numParts}.`);
    }
    return this.guard(path, () => this.store.createMultipartUpload(path, numParts));
  }

  completeMultipartUpload(path: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    this.assertMultipart(path);
    if (parts.length === 0 || parts.length > MAX_PARTS) {
      throw MlflowError.invalid(`parts must list between 1 and ${MAX_PARTS} parts.`);
    }
    const numbers = new Set(parts.map((p) => p.partNumber));
    if (numbers.size !== parts.length) throw MlflowError.invalid('parts lists a part twice.');
    for (const part of parts) {
      if (
        !Number.isInteger(part.partNumber) ||
        part.partNumber < 1 ||
        part.partNumber > MAX_PARTS
      ) {
        throw MlflowError.invalid(`Invalid part_number ${part.partNumber}.`);
      }
    }
    return this.guard(path, () => this.store.completeMultipartUpload(path, uploadId, parts));
  }

  abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    this.assertMultipart(path);
    return this.guard(path, () => this.store.abortMultipartUpload(path, uploadId));
  }

  presignDownload(path: string): Promise<PresignedDownload> {
    return this.guard(path, () => this.store.presignDownload(path));
  }

  /**
   * A run's artifact root as a store key. Runs whose root is not served by this proxy (an
   * experiment created with an `s3://` or `file:` location) are read by clients directly.
   */
  async runRoot(runId: string): Promise<{ rootUri: string; key: string }> {
    const info = await this.runs.getInfo(runId);
    const key = proxiedArtifactKey(info.artifactUri);
    if (key === undefined) {
      throw new MlflowError(
        'NOT_IMPLEMENTED',
        `The artifacts of run ${runId} are stored at '${info.artifactUri}', which this server ` +
          'does not proxy; read them from that location directly.',
      );
    }
    return { rootUri: info.artifactUri, key };
  }

  /** `artifacts/list` for a run: paths relative to the run's root, sorted. */
  async listRun(runId: string, path: string): Promise<{ rootUri: string; files: ListedFile[] }> {
    const root = await this.runRoot(runId);
    const entries = await this.list(joinArtifactPath(root.key, path));
    return {
      rootUri: root.rootUri,
      files: entries.map((e) => ({
        path: joinArtifactPath(path, e.name),
        isDir: e.isDir,
        size: e.size,
      })),
    };
  }

  async downloadRun(runId: string, path: string): Promise<FileDownload> {
    const root = await this.runRoot(runId);
    return this.download(joinArtifactPath(root.key, path));
  }

  /** One file of a run, whole in memory (the web UI's uploads are at most 10 MB). */
  async uploadRun(runId: string, path: string, body: Buffer): Promise<void> {
    const root = await this.runRoot(runId);
    await this.upload(joinArtifactPath(root.key, path), Readable.from([body]), body.length);
  }

  /**
   * The store key of an artifact URI: `mlflow-artifacts:` and proxy URLs directly, `runs:/` via
   * the run's root. (`models:/` needs the model registry; it resolves to one of these forms.)
   */
  async resolveUri(uri: string): Promise<string> {
    const runs = parseRunsUri(uri);
    if (runs) return joinArtifactPath((await this.runRoot(runs.runId)).key, runs.path);
    const key = proxiedArtifactKey(uri);
    if (key === undefined) {
      throw MlflowError.invalid(`'${uri}' is not an artifact location served by this server.`);
    }
    return key;
  }
}

/** MLflow's error for a store failure. */
export function toMlflowError(err: unknown, path: string): unknown {
  if (err instanceof MlflowError) return err;
  if (err instanceof ArtifactPathError) return invalidPath();
  if (err instanceof ArtifactNotFoundError) {
    return MlflowError.notFound(`Artifact '${path}' does not exist.`);
  }
  if (err instanceof ArtifactIsDirectoryError) {
    return MlflowError.invalid(
      `Artifact path '${path}' is a directory or lies under a file; ` +
        'list a directory with GET /api/2.0/mlflow-artifacts/artifacts?path=<dir>.',
    );
  }
  if (err instanceof MultipartUnsupportedError) {
    return new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
  }
  if (err instanceof UploadNotFoundError) {
    return MlflowError.notFound(
      `No multipart upload in progress for '${path}' with that upload_id.`,
    );
  }
  if (err instanceof InvalidUploadError) {
    return MlflowError.invalid(`The storage refused the multipart upload: ${err.message}`);
  }
  if (err instanceof IncompleteUploadError) {
    return MlflowError.invalid(`Upload of '${path}' incomplete: ${err.message}.`);
  }
  if (err instanceof ArtifactStoreUnavailableError) {
    return new MlflowError(
      'TEMPORARILY_UNAVAILABLE',
      `The artifact store is not reachable: ${err.message}`,
    );
  }
  return err;
}
