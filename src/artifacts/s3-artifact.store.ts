import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { Client } from 'minio';
import type { S3ArtifactConfig } from './artifact-config';
import {
  ArtifactIsDirectoryError,
  ArtifactNotFoundError,
  ArtifactStore,
  ArtifactStoreUnavailableError,
  IncompleteUploadError,
  InvalidUploadError,
  UploadNotFoundError,
  type ArtifactDownload,
  type ArtifactEntry,
  type CompletedPart,
  type MultipartUpload,
  type PresignedDownload,
} from './artifact.store';
import { guessContentType } from './content-type';

const MiB = 1024 * 1024;
/** S3 takes at most 10,000 parts; every part but the last must be at least 5 MiB. */
const MAX_PARTS = 10_000;
/** Part size for streamed uploads of known size (raised for files over 80 GB). */
const MIN_PART = 8 * MiB;
/** Part size when the size is unknown (chunked body): up to 160 GB. */
const UNKNOWN_SIZE_PART = 16 * MiB;
/** How long presigned part and download URLs stay valid. */
const PRESIGN_SECONDS = 6 * 60 * 60;
const DELETE_BATCH = 1000;

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const BAD_UPLOAD = new Set([
  'InvalidPart',
  'InvalidPartOrder',
  'EntityTooSmall',
  'MalformedXML',
  'InvalidArgument',
]);
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
]);

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}

/** The store's error for an S3 or network failure; other errors pass unchanged. */
function storeError(err: unknown, key: string): unknown {
  const code = codeOf(err);
  if (code === undefined) return err;
  if (NOT_FOUND.has(code)) return new ArtifactNotFoundError(key);
  if (code === 'NoSuchUpload') return new UploadNotFoundError(key);
  if (BAD_UPLOAD.has(code)) return new InvalidUploadError((err as Error).message);
  if (TRANSIENT.has(code)) return new ArtifactStoreUnavailableError((err as Error).message);
  return err;
}

/** Part size for a body of `size` bytes (undefined: unknown), within S3's part-count limit. */
export function partSizeFor(size: number | undefined): number {
  if (size === undefined) return UNKNOWN_SIZE_PART;
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(MIN_PART, needed);
}

/**
 * Artifacts as objects in one S3 bucket (created when missing), keyed by artifact path. Uploads
 * stream in parts of a few MiB (at most two in memory: one being sent, one being filled); only
 * a completed multipart upload makes an object visible, so an interrupted upload leaves nothing.
 * Multipart uploads are never resumed from an earlier attempt (no ListMultipartUploads call).
 */
export class S3ArtifactStore extends ArtifactStore {
  readonly supportsMultipart = true;
  readonly description: string;
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;
  private bucketReady?: Promise<void>;
  private readonly logger = new Logger('S3ArtifactStore');

  constructor(config: S3ArtifactConfig) {
    super();
    this.bucket = config.bucket;
    this.description = `s3:${config.bucket}`;
    this.client = new Client({
      endPoint: config.endPoint,
      port: config.port,
      useSSL: config.useSSL,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
    });
    this.region = config.region;
  }

  /** Creates the bucket on first use; a failure is retried on the next call. */
  private ready(): Promise<void> {
    this.bucketReady ??= (async () => {
      if (await this.client.bucketExists(this.bucket)) return;
      try {
        await this.client.makeBucket(this.bucket, this.region);
        this.logger.log(`created bucket ${this.bucket}`);
      } catch (err) {
        const code = codeOf(err);
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
      }
    })().catch((err: unknown) => {
      this.bucketReady = undefined;
      throw storeError(err, '');
    });
    return this.bucketReady;
  }

  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.ready();
    try {
      return await fn();
    } catch (err) {
      throw storeError(err, key);
    }
  }

  async put(key: string, body: Readable, size: number | undefined): Promise<void> {
    await this.ready();
    const partSize = partSizeFor(size);
    const contentType = guessContentType(key.slice(key.lastIndexOf('/') + 1));
    const buffers = [Buffer.allocUnsafe(partSize), Buffer.allocUnsafe(partSize)];
    let current = 0; // which buffer is being filled
    let filled = 0;
    let received = 0;
    let uploadId: string | undefined;
    let inFlight: Promise<CompletedPart> | undefined;
    const parts: CompletedPart[] = [];
    const sendPart = async (partNumber: number, data: Buffer): Promise<CompletedPart> => {
      const res = await this.client.uploadPart(
        { bucketName: this.bucket, objectName: key, uploadID: uploadId!, partNumber, headers: {} },
        data,
      );
      return { partNumber, etag: res.etag };
    };
    const flush = async () => {
      uploadId ??= await this.client.initiateNewMultipartUpload(this.bucket, key, {
        'Content-Type': contentType,
      });
      if (inFlight) parts.push(await inFlight);
      inFlight = sendPart(parts.length + 1, buffers[current].subarray(0, filled));
      // Do not leave an unobserved rejection while the next part fills; it is awaited later.
      inFlight.catch(() => undefined);
      current = 1 - current;
      filled = 0;
    };
    try {
      for await (const data of body) {
        let chunk = data as Buffer;
        received += chunk.length;
        while (chunk.length > 0) {
          const n = chunk.copy(buffers[current], filled);
          filled += n;
          chunk = chunk.subarray(n);
          if (filled === partSize) await flush();
        }
      }
      if (size !== undefined && received !== size) {
        throw new IncompleteUploadError(`received ${received} of ${size} bytes`);
      }
      if (uploadId === undefined) {
        await this.client.putObject(
          this.bucket,
          key,
          buffers[current].subarray(0, filled),
          filled,
          {
            'Content-Type': contentType,
          },
        );
        return;
      }
      if (filled > 0) await flush();
      if (inFlight) parts.push(await inFlight);
      await this.client.completeMultipartUpload(
        this.bucket,
        key,
        uploadId,
        parts.map((p) => ({ part: p.partNumber, etag: p.etag })),
      );
    } catch (err) {
      if (inFlight) await inFlight.catch(() => undefined);
      if (uploadId !== undefined) {
        await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch((abortErr) => {
          this.logger.warn(`could not abort upload ${uploadId} of ${key}: ${String(abortErr)}`);
        });
      }
      throw storeError(err, key);
    }
  }

  async get(key: string): Promise<ArtifactDownload> {
    return this.call(key, async () => {
      let size: number;
      try {
        size = (await this.client.statObject(this.bucket, key)).size;
      } catch (err) {
        if (!NOT_FOUND.has(codeOf(err) ?? '')) throw err;
        if (await this.hasChildren(key)) throw new ArtifactIsDirectoryError(key);
        throw new ArtifactNotFoundError(key);
      }
      return { stream: await this.client.getObject(this.bucket, key), size };
    });
  }

  private async hasChildren(dir: string): Promise<boolean> {
    const res = await this.client.listObjectsV2Query(this.bucket, `${dir}/`, '', '/', 1, '');
    return res.objects.length > 0;
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const prefix = dir === '' ? '' : `${dir}/`;
    return this.call(dir, async () => {
      const entries = new Map<string, ArtifactEntry>();
      for await (const item of this.client.listObjectsV2(this.bucket, prefix, false)) {
        if (item.prefix !== undefined) {
          const name = item.prefix.slice(prefix.length).replace(/\/$/, '');
          if (name !== '') entries.set(name, { name, isDir: true });
        } else if (item.name !== undefined) {
          const name = item.name.slice(prefix.length);
          // An object named like a folder ("a/") is a folder marker, not a file.
          if (name !== '' && !name.endsWith('/') && !entries.has(name)) {
            entries.set(name, { name, isDir: false, size: item.size });
          }
        }
      }
      return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async delete(key: string): Promise<void> {
    await this.call(key, () => this.client.removeObject(this.bucket, key));
    await this.deletePrefix(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    return this.call(prefix, async () => {
      let removed = 0;
      let batch: string[] = [];
      const flush = async () => {
        const results = await this.client.removeObjects(this.bucket, batch);
        const failed = results.find((r) => r?.Error);
        if (failed?.Error) {
          throw new Error(`could not delete ${failed.Error.Key}: ${failed.Error.Message}`);
        }
        removed += batch.length;
        batch = [];
      };
      for await (const item of this.client.listObjectsV2(this.bucket, `${prefix}/`, true)) {
        if (item.name === undefined) continue;
        batch.push(item.name);
        if (batch.length === DELETE_BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      return removed;
    });
  }

  async createMultipartUpload(key: string, numParts: number): Promise<MultipartUpload> {
    return this.call(key, async () => {
      const contentType = guessContentType(key.slice(key.lastIndexOf('/') + 1));
      const uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, {
        'Content-Type': contentType,
      });
      const parts = [];
      for (let partNumber = 1; partNumber <= numParts; partNumber++) {
        const url = await this.client.presignedUrl('PUT', this.bucket, key, PRESIGN_SECONDS, {
          partNumber: String(partNumber),
          uploadId,
        });
        parts.push({ partNumber, url, headers: {} });
      }
      return { uploadId, parts };
    });
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: CompletedPart[],
  ): Promise<void> {
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.call(key, () =>
      this.client.completeMultipartUpload(
        this.bucket,
        key,
        uploadId,
        ordered.map((p) => ({ part: p.partNumber, etag: p.etag })),
      ),
    );
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.call(key, () => this.client.abortMultipartUpload(this.bucket, key, uploadId));
  }

  async presignDownload(key: string): Promise<PresignedDownload> {
    return this.call(key, async () => {
      const { size } = await this.client.statObject(this.bucket, key);
      const url = await this.client.presignedUrl('GET', this.bucket, key, PRESIGN_SECONDS);
      return { url, headers: {}, size };
    });
  }

  async check(): Promise<void> {
    await this.ready();
    try {
      if (!(await this.client.bucketExists(this.bucket))) {
        this.bucketReady = undefined;
        throw new ArtifactStoreUnavailableError(`bucket ${this.bucket} is gone`);
      }
    } catch (err) {
      throw storeError(err, '');
    }
  }
}
