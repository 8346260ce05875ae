import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadArtifactConfig } from 'src/artifacts/artifact-config';
import {
  ArtifactIsDirectoryError,
  ArtifactNotFoundError,
  IncompleteUploadError,
  InvalidUploadError,
  MultipartUnsupportedError,
  UploadNotFoundError,
  type ArtifactStore,
} from 'src/artifacts/artifact.store';
import { createArtifactStore } from 'src/artifacts/artifacts.module';
import { STAGING_DIR } from 'src/artifacts/local-artifact.store';
import { bytes } from './support/http';
import { startS3, type TestS3 } from './support/s3-server';

/**
 * The ArtifactStore contract: every adapter must pass the same cases. The S3 adapter runs
 * against a real S3-compatible HTTP server (see support/s3-server.ts).
 */

interface Adapter {
  name: string;
  store: ArtifactStore;
  /** Leftovers of failed uploads: staged files (local) or multipart uploads in progress (S3). */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

async function localAdapter(): Promise<Adapter> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kiln-local-store-'));
  const store = createArtifactStore({ dataDir, artifacts: { backend: 'local' } });
  return {
    name: 'local',
    store,
    leftovers: async () => readdirSync(path.join(dataDir, 'artifacts', STAGING_DIR)),
    stop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function s3Adapter(): Promise<Adapter & { s3: TestS3 }> {
  const s3 = await startS3();
  const store = createArtifactStore({
    dataDir: '/nonexistent',
    artifacts: loadArtifactConfig(s3.env),
  });
  return { name: 's3', store, s3, leftovers: () => s3.pendingUploads(), stop: () => s3.stop() };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body that yields `good` bytes and then fails, as a client that goes away mid-upload. */
function failingBody(good: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(good);
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}

const MiB = 1024 * 1024;

describe.each([
  ['local', localAdapter],
  ['s3', s3Adapter],
] as const)('ArtifactStore contract: %s', (name, make) => {
  let adapter: Adapter;
  let store: ArtifactStore;

  beforeAll(async () => {
    adapter = await make();
    store = adapter.store;
  });
  afterAll(async () => {
    await adapter?.stop();
  });

  const put = (key: string, data: Buffer, size: number | undefined = data.length) =>
    store.put(key, Readable.from([data]), size);
  const get = async (key: string) => {
    const file = await store.get(key);
    const data = await readAll(file.stream);
    expect(file.size).toBe(data.length);
    return data;
  };

  it.each([0, 1, 100_000])('stores and returns %d bytes unchanged', async (size) => {
    const data = bytes(size, size + 7);
    await put(`c/sizes/${size}.bin`, data);
    expect((await get(`c/sizes/${size}.bin`)).equals(data)).toBe(true);
  });

  it('streams a file larger than several parts, of unknown size, unchanged', async () => {
    const data = bytes(20 * MiB + 12_345, 3);
    // Many small chunks, no declared size: a chunked HTTP body.
    const chunks = Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) =>
      data.subarray(i * 65_536, (i + 1) * 65_536),
    );
    await store.put('c/big/weights.bin', Readable.from(chunks), undefined);
    expect((await get('c/big/weights.bin')).equals(data)).toBe(true);
    expect(await adapter.leftovers()).toEqual([]);
  });

  it('replaces a file', async () => {
    await put('c/replace.txt', Buffer.from('first'));
    await put('c/replace.txt', Buffer.from('second'));
    expect((await get('c/replace.txt')).toString()).toBe('second');
  });

  it('keeps names with spaces, percent signs and non-ASCII letters', async () => {
    for (const key of ['c/names/with space.txt', 'c/names/a%20b.txt', 'c/names/ü名-é.txt']) {
      await put(key, Buffer.from(key));
      expect((await get(key)).toString()).toBe(key);
    }
    expect((await store.list('c/names')).map((e) => e.name)).toEqual([
      'a%20b.txt',
      'with space.txt',
      'ü名-é.txt',
    ]);
  });

  it('reports a missing file and a folder', async () => {
    await put('c/folder/inner.txt', Buffer.from('x'));
    await expect(store.get('c/nope.txt')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.get('c/nope/deeper.txt')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.get('c/folder')).rejects.toBeInstanceOf(ArtifactIsDirectoryError);
  });

  it('lists a folder: names, sorted, folders without size', async () => {
    await put('c/list/b.txt', Buffer.from('bb'));
    await put('c/list/a.json', Buffer.from('{}'));
    await put('c/list/sub/deep/x.bin', Buffer.from('xyz'));
    expect(await store.list('c/list')).toEqual([
      { name: 'a.json', isDir: false, size: 2 },
      { name: 'b.txt', isDir: false, size: 2 },
      { name: 'sub', isDir: true },
    ]);
    expect(await store.list('c/list/sub')).toEqual([{ name: 'deep', isDir: true }]);
    expect(await store.list('c/list/missing')).toEqual([]);
    expect(await store.list('c/list/b.txt')).toEqual([]);
    expect((await store.list('')).map((e) => e.name)).toContain('c');
  });

  it('deletes a file, a folder, and nothing when missing', async () => {
    await put('c/del/keep.txt', Buffer.from('k'));
    await put('c/del/gone.txt', Buffer.from('g'));
    await put('c/del/dir/a.txt', Buffer.from('a'));
    await put('c/del/dir/sub/b.txt', Buffer.from('b'));
    await store.delete('c/del/gone.txt');
    await store.delete('c/del/dir');
    await store.delete('c/del/never-there');
    expect(await store.list('c/del')).toEqual([{ name: 'keep.txt', isDir: false, size: 1 }]);
    await expect(store.get('c/del/dir/sub/b.txt')).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('deletes a prefix as a folder, never a sibling with a longer name', async () => {
    await put('p/1/ab/artifacts/x.txt', Buffer.from('1'));
    await put('p/1/ab/artifacts/model/y.bin', Buffer.from('2'));
    await put('p/1/abc/artifacts/z.txt', Buffer.from('3'));
    await put('p/1/ab.txt', Buffer.from('4'));
    expect(await store.deletePrefix('p/1/ab')).toBe(2);
    expect((await store.list('p/1')).map((e) => e.name)).toEqual(['ab.txt', 'abc']);
    expect((await get('p/1/abc/artifacts/z.txt')).toString()).toBe('3');
    expect(await store.deletePrefix('p/1/missing')).toBe(0);
  });

  it('leaves nothing under the name when an upload is interrupted', async () => {
    await expect(store.put('c/broken/small.bin', failingBody(bytes(1000)), 5000)).rejects.toThrow();
    await expect(
      store.put('c/broken/large.bin', failingBody(bytes(12 * MiB)), 30 * MiB),
    ).rejects.toThrow();
    await expect(store.get('c/broken/small.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.get('c/broken/large.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await adapter.leftovers()).toEqual([]);
  });

  it('keeps the previous file when its replacement is interrupted', async () => {
    await put('c/broken/keep.txt', Buffer.from('previous'));
    await expect(store.put('c/broken/keep.txt', failingBody(bytes(10)), 100)).rejects.toThrow();
    expect((await get('c/broken/keep.txt')).toString()).toBe('previous');
  });

  it('refuses a body shorter than its declared size', async () => {
    await expect(put('c/short.bin', bytes(10), 11)).rejects.toBeInstanceOf(IncompleteUploadError);
    await expect(store.get('c/short.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await adapter.leftovers()).toEqual([]);
  });

  if (name === 'local') {
    it('has no multipart uploads nor presigned downloads', async () => {
      await expect(store.createMultipartUpload('c/mpu.bin', 2)).rejects.toBeInstanceOf(
        MultipartUnsupportedError,
      );
      await expect(store.presignDownload('c/replace.txt')).rejects.toBeInstanceOf(
        MultipartUnsupportedError,
      );
      expect(store.supportsMultipart).toBe(false);
    });
  }

  if (name === 's3') {
    const uploadPart = async (url: string, data: Buffer) => {
      const res = await fetch(url, { method: 'PUT', body: data });
      expect(res.status).toBe(200);
      return (res.headers.get('etag') ?? '').replace(/"/g, '');
    };

    it('completes a multipart upload from parts sent to the presigned URLs', async () => {
      const parts = [bytes(5 * MiB, 11), bytes(5 * MiB, 12), bytes(777, 13)];
      const upload = await store.createMultipartUpload('c/mpu/model.bin', 3);
      expect(upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      const etags = [];
      for (const [i, target] of upload.parts.entries()) {
        etags.push({ partNumber: target.partNumber, etag: await uploadPart(target.url, parts[i]) });
      }
      expect(await adapter.leftovers()).toEqual([upload.uploadId]);
      await store.completeMultipartUpload('c/mpu/model.bin', upload.uploadId, etags);
      expect((await get('c/mpu/model.bin')).equals(Buffer.concat(parts))).toBe(true);
      expect(await adapter.leftovers()).toEqual([]);
    });

    it('refuses a wrong ETag, a part too small, and an unknown or aborted upload', async () => {
      const upload = await store.createMultipartUpload('c/mpu/bad.bin', 2);
      const first = await uploadPart(upload.parts[0].url, bytes(1024, 1));
      const second = await uploadPart(upload.parts[1].url, bytes(1024, 2));
      await expect(
        store.completeMultipartUpload('c/mpu/bad.bin', upload.uploadId, [
          { partNumber: 1, etag: first },
          { partNumber: 2, etag: '0123456789abcdef0123456789abcdef' },
        ]),
      ).rejects.toBeInstanceOf(InvalidUploadError);
      await expect(
        store.completeMultipartUpload('c/mpu/bad.bin', upload.uploadId, [
          { partNumber: 1, etag: first },
          { partNumber: 2, etag: second },
        ]),
      ).rejects.toBeInstanceOf(InvalidUploadError); // part 1 is under 5 MiB
      await store.abortMultipartUpload('c/mpu/bad.bin', upload.uploadId);
      expect(await adapter.leftovers()).toEqual([]);
      await expect(
        store.completeMultipartUpload('c/mpu/bad.bin', upload.uploadId, [
          { partNumber: 1, etag: first },
        ]),
      ).rejects.toBeInstanceOf(UploadNotFoundError);
      await expect(
        store.abortMultipartUpload('c/mpu/bad.bin', 'no-such-upload'),
      ).rejects.toBeInstanceOf(UploadNotFoundError);
      await expect(store.get('c/mpu/bad.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    });

    it('gives a presigned download URL', async () => {
      const data = bytes(4096, 5);
      await put('c/presigned.bin', data);
      const link = await store.presignDownload('c/presigned.bin');
      expect(link.size).toBe(4096);
      const res = await fetch(link.url);
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    });

    it('creates its bucket when missing', async () => {
      const s3 = (adapter as Adapter & { s3: TestS3 }).s3;
      expect(await s3.client.bucketExists(s3.bucket)).toBe(true);
      await store.check();
    });
  }
});
