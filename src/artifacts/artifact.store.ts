import type { Readable } from 'node:stream';

/**
 * The artifact store port. Keys are normalised relative paths (`1/<run>/artifacts/model/MLmodel`,
 * see artifact-path.ts); `''` is the root. Folders are implicit: a folder exists while a file
 * lies under it. Every method streams: no method holds a whole file in memory.
 */

/** One entry of a folder listing: its name (not its path), and a size for files. */
export interface ArtifactEntry {
  name: string;
  isDir: boolean;
  size?: number;
}

export interface ArtifactDownload {
  stream: Readable;
  size: number;
}

/** Where the client uploads one part of a multipart upload itself (a presigned URL). */
export interface PartTarget {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

export interface MultipartUpload {
  uploadId: string;
  parts: PartTarget[];
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface PresignedDownload {
  url: string;
  headers: Record<string, string>;
  size: number;
}

export abstract class ArtifactStore {
  /** A short name for logs and /ready: `local:<dir>` or `s3:<bucket>`. */
  abstract readonly description: string;

  /** Whether clients may upload parts straight to the storage (multipart, presigned URLs). */
  abstract readonly supportsMultipart: boolean;

  /**
   * Stores `body` under `key`, replacing any file there. The file appears under its name only
   * once complete: a failed or interrupted upload leaves nothing (nor the previous file changed).
   * `size`, when known, must match the bytes received.
   */
  abstract put(key: string, body: Readable, size: number | undefined): Promise<void>;

  /** A file's bytes. Throws ArtifactNotFoundError, or ArtifactIsDirectoryError for a folder. */
  abstract get(key: string): Promise<ArtifactDownload>;

  /** The entries directly in folder `dir`, sorted by name; `[]` when it is missing or a file. */
  abstract list(dir: string): Promise<ArtifactEntry[]>;

  /** Removes the file `key`, or the folder `key` with everything in it. Missing: no error. */
  abstract delete(key: string): Promise<void>;

  /**
   * Removes everything under folder `prefix` (a run's or an experiment's artifacts, for
   * deletion and garbage collection); returns how many files went. Never touches a sibling that
   * merely starts with the same characters (`1/ab` leaves `1/abc` alone).
   */
  abstract deletePrefix(prefix: string): Promise<number>;

  /** Starts a multipart upload; throws MultipartUnsupportedError where there is none. */
  abstract createMultipartUpload(key: string, numParts: number): Promise<MultipartUpload>;

  abstract completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: CompletedPart[],
  ): Promise<void>;

  abstract abortMultipartUpload(key: string, uploadId: string): Promise<void>;

  /** A URL the client can download `key` from directly; MultipartUnsupportedError where none. */
  abstract presignDownload(key: string): Promise<PresignedDownload>;

  /** Resolves when the storage is reachable and writable (for /ready). */
  abstract check(): Promise<void>;
}

/** No file under this key. */
export class ArtifactNotFoundError extends Error {}

/** The key names a folder where a file was expected (or a file is in the way of a folder). */
export class ArtifactIsDirectoryError extends Error {}

/** The key resolves outside the store (a symlink out of the root) or to a reserved name. */
export class ArtifactPathError extends Error {}

/** The storage has no multipart uploads (nor presigned URLs). */
export class MultipartUnsupportedError extends Error {}

/** The multipart upload id is unknown (finished, aborted or never started). */
export class UploadNotFoundError extends Error {}

/** The storage refused the upload's parts (wrong ETag, a part too small, bad order, ...). */
export class InvalidUploadError extends Error {}

/** The body ended before the declared Content-Length (client went away). */
export class IncompleteUploadError extends Error {}

/** The storage cannot be reached right now (a transient fault). */
export class ArtifactStoreUnavailableError extends Error {}
