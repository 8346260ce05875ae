import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import S3rver from 's3rver';

/**
 * The S3-compatible server the S3 tests run against.
 *
 * With KILN_TEST_S3_ENDPOINT set (plus KILN_TEST_S3_ACCESS_KEY / KILN_TEST_S3_SECRET_KEY), the
 * tests use that server (a real MinIO, for instance) and a fresh bucket on it.
 *
 * Otherwise they start s3rver (from npm) on a random local port. s3rver speaks the S3 HTTP
 * protocol for objects, listings, batch deletes and multipart uploads (initiate, upload part,
 * complete), but it is lax where S3 is strict, and it lacks AbortMultipartUpload and
 * ListMultipartUploads. So that the multipart path is tested against S3's rules rather than
 * s3rver's leniency, a middleware in front of s3rver's router adds, as the S3 API reference
 * specifies them:
 *   - AbortMultipartUpload (DELETE ?uploadId): drops the parts; 204; NoSuchUpload if unknown;
 *   - NoSuchUpload (404) for a part upload or completion of an unknown (or aborted, or completed)
 *     upload id, or one started for another key;
 *   - on completion: InvalidPartOrder unless part numbers ascend, InvalidPart (400) when a listed
 *     part was never uploaded or its ETag differs, EntityTooSmall (400) for any part but the last
 *     under 5 MiB;
 *   - ListMultipartUploads (GET /bucket?uploads), so tests can check that no upload is left over.
 * and corrects two defects of s3rver's ListObjectsV2 that real S3 does not have:
 *   - with a delimiter, s3rver omits a common prefix whose folder holds only deeper folders
 *     (`a/sub/` when the only key is `a/sub/deep/x`); the layer adds the missing prefixes;
 *   - s3rver ignores `encoding-type=url`, which minio always asks for (and then decodes every
 *     key, turning a stored `a%20b` into `a b`); the layer URL-encodes keys and prefixes.
 * Nothing else of s3rver is changed; every other request reaches s3rver as sent.
 */

export interface TestS3 {
  env: Record<string, string>;
  bucket: string;
  client: Client;
  /** Keys of all objects in the bucket. */
  keys(): Promise<string[]>;
  /** Upload ids of multipart uploads in progress. */
  pendingUploads(): Promise<string[]>;
  stop(): Promise<void>;
}

const MIN_PART = 5 * 1024 * 1024;
let bucketCounter = 0;

function uniqueBucket(): string {
  bucketCounter += 1;
  return `kiln-test-${process.pid}-${Date.now().toString(36)}-${bucketCounter}`;
}

function clientFor(endpoint: string, accessKey: string, secretKey: string): Client {
  const url = new URL(endpoint);
  return new Client({
    endPoint: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    useSSL: url.protocol === 'https:',
    accessKey,
    secretKey,
    region: 'us-east-1',
  });
}

export async function startS3(): Promise<TestS3> {
  const external = process.env.KILN_TEST_S3_ENDPOINT;
  let endpoint: string;
  let accessKey = 'S3RVER';
  let secretKey = 'S3RVER';
  let stopServer = async () => undefined as void;
  if (external) {
    endpoint = external;
    accessKey = process.env.KILN_TEST_S3_ACCESS_KEY ?? '';
    secretKey = process.env.KILN_TEST_S3_SECRET_KEY ?? '';
  } else {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'kiln-s3rver-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
    addStrictLayer(server, directory);
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
    stopServer = async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    };
  }
  const bucket = uniqueBucket();
  const client = clientFor(endpoint, accessKey, secretKey);
  const keys = async () => {
    if (!(await client.bucketExists(bucket))) return [];
    const names: string[] = [];
    for await (const item of client.listObjectsV2(bucket, '', true)) {
      if (item.name !== undefined) names.push(item.name);
    }
    return names.sort();
  };
  const pendingUploads = async () => {
    if (!(await client.bucketExists(bucket))) return [];
    const res = await client.listIncompleteUploadsQuery(bucket, '', '', '', '');
    return res.uploads.map((u) => u.uploadId);
  };
  return {
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY: accessKey,
      S3_SECRET_KEY: secretKey,
      S3_REGION: 'us-east-1',
    },
    bucket,
    client,
    keys,
    pendingUploads,
    stop: async () => {
      if (external && (await client.bucketExists(bucket))) {
        const all = await keys();
        if (all.length > 0) await client.removeObjects(bucket, all);
        for (const id of await pendingUploads()) await client.abortMultipartUpload(bucket, '', id);
        await client.removeBucket(bucket);
      }
      await stopServer();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The strict multipart layer over s3rver (see the comment at the top).

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  req: IncomingMessage | Readable;
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

function s3Error(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.body = { Error: { Code: code, Message: message } };
}

async function readBody(req: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** s3rver's folder of in-progress uploads of a bucket (its FilesystemStore layout). */
function uploadsDir(directory: string, bucket: string): string {
  return path.join(directory, bucket, '._S3rver_uploads');
}

interface ListedObjects {
  objects: { key: string }[];
}
interface S3rverStore {
  listObjects(bucket: string, options: { prefix?: string }): Promise<ListedObjects>;
}
interface ListBucketResult {
  Prefix?: string;
  Delimiter?: string;
  StartAfter?: string;
  IsTruncated?: boolean;
  EncodingType?: string;
  Contents: { Key: string }[];
  CommonPrefixes: { Prefix: string }[];
}

async function fixListing(ctx: KoaContext, store: S3rverStore, bucket: string): Promise<void> {
  const result = (ctx.body as { ListBucketResult?: ListBucketResult } | undefined)
    ?.ListBucketResult;
  if (!result) return;
  const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
  const delimiter = typeof ctx.query.delimiter === 'string' ? ctx.query.delimiter : '';
  if (delimiter && !result.IsTruncated && !ctx.query['continuation-token']) {
    const prefixes = new Set(result.CommonPrefixes.map((p) => p.Prefix));
    for (const { key } of (await store.listObjects(bucket, { prefix })).objects) {
      const at = key.slice(prefix.length).indexOf(delimiter);
      if (at >= 0) prefixes.add(key.slice(0, prefix.length + at + delimiter.length));
    }
    result.CommonPrefixes = [...prefixes].sort().map((p) => ({ Prefix: p }));
  }
  if (ctx.query['encoding-type'] === 'url') {
    result.EncodingType = 'url';
    for (const item of result.Contents) item.Key = encodeURIComponent(item.Key);
    for (const item of result.CommonPrefixes) item.Prefix = encodeURIComponent(item.Prefix);
    if (result.Prefix) result.Prefix = encodeURIComponent(result.Prefix);
    if (result.Delimiter) result.Delimiter = encodeURIComponent(result.Delimiter);
    if (result.StartAfter) result.StartAfter = encodeURIComponent(result.StartAfter);
  }
}

function addStrictLayer(server: S3rver, directory: string): void {
  const store = (server as unknown as { store: S3rverStore }).store;
  const strict: Middleware = async (ctx, next) => {
    const [, bucket, ...keyParts] = ctx.path.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
    const uploads = bucket ? uploadsDir(directory, bucket) : '';

    // ListMultipartUploads
    if (ctx.method === 'GET' && key === '' && bucket && 'uploads' in ctx.query) {
      const ids = (await exists(uploads)) ? await fs.readdir(uploads) : [];
      const list = await Promise.all(
        ids.map(async (id) => {
          const dir = path.join(uploads, id);
          const stat = await fs.stat(dir);
          const uploadKey = await fs.readFile(path.join(dir, 'key'), 'utf8');
          return { Key: uploadKey, UploadId: id, Initiated: stat.birthtime.toISOString() };
        }),
      );
      ctx.body = {
        ListMultipartUploadsResult: {
          Bucket: bucket,
          KeyMarker: '',
          UploadIdMarker: '',
          MaxUploads: 1000,
          IsTruncated: false,
          ...(list.length > 0 ? { Upload: list } : {}),
        },
      };
      return;
    }
    // ListObjectsV2: the two corrections described at the top.
    if (ctx.method === 'GET' && key === '' && bucket && ctx.query['list-type'] === '2') {
      await next();
      await fixListing(ctx, store, bucket);
      return;
    }
    if (uploadId === undefined || key === '') return next();

    const dir = path.join(uploads, path.basename(uploadId));
    const known =
      (await exists(path.join(dir, 'key'))) &&
      (await fs.readFile(path.join(dir, 'key'), 'utf8')) === key;
    if (!known) {
      return s3Error(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    // AbortMultipartUpload
    if (ctx.method === 'DELETE') {
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    // CompleteMultipartUpload: check the part list before s3rver assembles it.
    if (ctx.method === 'POST') {
      const xml = await readBody(ctx.req as Readable);
      const parts = [...xml.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        number: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1])?.[1]),
        etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1])?.[1] ?? '')
          .replace(/&quot;/g, '"')
          .replace(/"/g, ''),
      }));
      if (parts.length === 0) {
        return s3Error(ctx, 400, 'MalformedXML', 'The XML you provided was not well-formed.');
      }
      for (const [i, part] of parts.entries()) {
        if (i > 0 && part.number <= parts[i - 1].number) {
          return s3Error(
            ctx,
            400,
            'InvalidPartOrder',
            'The list of parts was not in ascending order.',
          );
        }
        const file = path.join(dir, String(part.number));
        if (!(await exists(file))) {
          return s3Error(ctx, 400, 'InvalidPart', `Part ${part.number} was not uploaded.`);
        }
        const md5 = createHash('md5')
          .update(await fs.readFile(file))
          .digest('hex');
        if (md5 !== part.etag) {
          return s3Error(ctx, 400, 'InvalidPart', `Part ${part.number}'s ETag does not match.`);
        }
        const { size } = await fs.stat(file);
        if (i < parts.length - 1 && size < MIN_PART) {
          return s3Error(
            ctx,
            400,
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size.',
          );
        }
      }
      ctx.req = Readable.from([xml]);
    }
    return next();
  };
  // Koa keeps its middleware in order; s3rver's router is the last one.
  const stack = (server as unknown as { middleware: Middleware[] }).middleware;
  stack.splice(stack.length - 1, 0, strict);
}
