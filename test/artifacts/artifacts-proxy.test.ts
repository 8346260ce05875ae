import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { STAGING_DIR } from 'src/artifacts/local-artifact.store';
import {
  API,
  BACKENDS,
  createRun,
  PROXY,
  startArtifactsKiln,
  type ArtifactsKiln,
} from './support/artifacts-kiln';
import { bytes, rawRequest } from './support/http';

const MiB = 1024 * 1024;
const MULTIPART_501 = {
  error_code: 'NOT_IMPLEMENTED',
  message: 'Multipart upload is not supported for the current artifact repository',
};

describe.each(BACKENDS)('artifact proxy over HTTP: %s store', (backend) => {
  let k: ArtifactsKiln;
  let root: string;
  let artifactUri: string;

  beforeAll(async () => {
    k = await startArtifactsKiln(backend);
    ({ root, artifactUri } = await createRun(k.kiln));
  });
  afterAll(async () => {
    await k?.stop();
  });

  const put = (
    rel: string,
    body: Buffer | string | Readable,
    headers: Record<string, string> = {},
  ) => rawRequest(k.url, 'PUT', `${PROXY}/artifacts/${root}/${rel}`, body, headers);
  const get = (rel: string) => rawRequest(k.url, 'GET', `${PROXY}/artifacts/${root}/${rel}`);
  const list = (dir: string) =>
    rawRequest(k.url, 'GET', `${PROXY}/artifacts?path=${encodeURIComponent(dir)}`);
  /** Staged uploads (local) or multipart uploads in progress (S3). */
  const leftovers = async () =>
    k.s3 ? k.s3.pendingUploads() : readdirSync(path.join(k.root, STAGING_DIR));

  it('uploads and downloads text and binary files byte for byte, with MLflow headers', async () => {
    const text = 'hello from the real mlflow client\n';
    const binary = bytes(3 * MiB + 17, 42);
    expect((await put('notes.txt', text, { 'content-type': 'text/plain' })).json).toEqual({});
    expect((await put('model/weights.bin', binary)).status).toBe(200);
    expect((await put('config.json', '{"a": 1}')).status).toBe(200);

    const txt = await get('notes.txt');
    expect(txt.status).toBe(200);
    expect(txt.body.toString()).toBe(text);
    expect(txt.headers['content-type']).toBe('text/plain');
    expect(txt.headers['content-disposition']).toBe('attachment; filename="notes.txt"');
    expect(txt.headers['x-content-type-options']).toBe('nosniff');
    expect(txt.headers['content-length']).toBe(String(Buffer.byteLength(text)));

    const bin = await get('model/weights.bin');
    expect(bin.body.equals(binary)).toBe(true);
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    expect(bin.headers['content-disposition']).toBe('attachment; filename="weights.bin"');

    // JSON artifacts are served as text/plain, as MLflow does (never rendered as a document).
    expect((await get('config.json')).headers['content-type']).toBe('text/plain');
  });

  it('streams a chunked upload of 20 MiB (no Content-Length) unchanged', async () => {
    const data = bytes(20 * MiB + 5, 7);
    const body = Readable.from(
      Array.from({ length: Math.ceil(data.length / MiB) }, (_, i) =>
        data.subarray(i * MiB, (i + 1) * MiB),
      ),
    );
    const res = await put('big/chunked.bin', body, { 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(200);
    expect((await get('big/chunked.bin')).body.equals(data)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('lists folders as MLflow does: basenames, sorted, folders without size', async () => {
    await put('list/b.txt', 'bb');
    await put('list/a.txt', 'a');
    await put('list/sub/c.txt', 'ccc');
    const res = await list(`${root}/list`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      files: [
        { path: 'a.txt', is_dir: false, file_size: 1 },
        { path: 'b.txt', is_dir: false, file_size: 2 },
        { path: 'sub', is_dir: true },
      ],
    });
    expect((await list(`${root}/list/missing`)).json).toEqual({});
    expect((await list(`${root}/list/a.txt`)).json).toEqual({}); // a file lists as nothing
    const top = await rawRequest(k.url, 'GET', `${PROXY}/artifacts`);
    expect(top.json.files).toEqual(
      expect.arrayContaining([{ path: root.split('/')[0], is_dir: true }]),
    );
  });

  it('deletes a file and a whole folder', async () => {
    await put('del/keep.txt', 'k');
    await put('del/one.txt', '1');
    await put('del/dir/two.txt', '2');
    await put('del/dir/deeper/three.txt', '3');
    for (const target of ['del/one.txt', 'del/dir', 'del/never-existed']) {
      const res = await rawRequest(k.url, 'DELETE', `${PROXY}/artifacts/${root}/${target}`);
      expect([res.status, res.json]).toEqual([200, {}]);
    }
    expect((await list(`${root}/del`)).json).toEqual({
      files: [{ path: 'keep.txt', is_dir: false, file_size: 1 }],
    });
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for a missing file and 400 for a folder', async () => {
    const missing = await get('does-not-exist.txt');
    expect(missing.status).toBe(404);
    expect(missing.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    await put('dir/inner.txt', 'inner\n');
    const dir = await get('dir');
    expect(dir.status).toBe(400);
    expect(dir.json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('leaves nothing under the name when the client goes away mid-upload', async () => {
    const url = new URL(k.url);
    const target = `${PROXY}/artifacts/${root}/interrupted/model.bin`;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          `PUT ${target} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${40 * MiB}\r\n\r\n`,
        );
        socket.write(bytes(12 * MiB, 9), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // The server notices the reset, cleans up, and keeps serving.
    for (let i = 0; i < 50 && (await leftovers()).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await leftovers()).toEqual([]);
    expect((await get('interrupted/model.bin')).status).toBe(404);
    expect((await list(`${root}/interrupted`)).json).toEqual({});
  });

  it('serves artifacts/list for a run with run-relative paths and its root_uri', async () => {
    const fresh = await createRun(k.kiln);
    const at = (rel: string) => `${PROXY}/artifacts/${fresh.root}/${rel}`;
    await rawRequest(k.url, 'PUT', at('ok.txt'), 'fixture\n');
    await rawRequest(k.url, 'PUT', at('model/MLmodel'), 'artifact_path: model\n');
    await rawRequest(k.url, 'PUT', at('model/data/x.bin'), bytes(10));

    const top = await k.kiln.get(`${API}/artifacts/list`, { run_id: fresh.runId });
    expect(top.body).toEqual({
      root_uri: fresh.artifactUri,
      files: [
        { path: 'model', is_dir: true },
        { path: 'ok.txt', is_dir: false, file_size: 8 },
      ],
    });
    const model = await k.kiln.get(`${API}/artifacts/list`, {
      run_id: fresh.runId,
      run_uuid: fresh.runId,
      path: 'model',
    });
    expect(model.body.files).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 21 },
      { path: 'model/data', is_dir: true },
    ]);
    const empty = await k.kiln.get(`${API}/artifacts/list`, { run_id: fresh.runId, path: 'nope' });
    expect(empty.body).toEqual({ root_uri: fresh.artifactUri });
    const unknown = await k.kiln.get(`${API}/artifacts/list`, { run_id: 'f'.repeat(32) });
    expect(unknown.status).toBe(404);

    const file = await rawRequest(
      k.url,
      'GET',
      `/get-artifact?run_id=${fresh.runId}&path=model/MLmodel`,
    );
    expect(file.status).toBe(200);
    expect(file.body.toString()).toBe('artifact_path: model\n');
    expect(file.headers['content-type']).toBe('text/plain');
    expect(file.headers['content-disposition']).toBe('attachment; filename="MLmodel"');
    expect(artifactUri).toMatch(/^mlflow-artifacts:\//);
  });

  it("takes the web UI's upload-artifact body into a run, and serves model-version files", async () => {
    const fresh = await createRun(k.kiln);
    const upload = (query: string, body: Buffer | string) =>
      rawRequest(k.url, 'POST', `/ajax-api/2.0/mlflow/upload-artifact?${query}`, body, {
        'content-type': 'application/octet-stream',
      });
    const payload = bytes(64 * 1024 + 3, 7);
    const ok = await upload(`run_uuid=${fresh.runId}&path=model/data/w.bin`, payload);
    expect([ok.status, ok.json]).toEqual([200, {}]);
    const back = await rawRequest(
      k.url,
      'GET',
      `/get-artifact?run_id=${fresh.runId}&path=model/data/w.bin`,
    );
    expect(back.body.equals(payload)).toBe(true);
    await upload(`run_uuid=${fresh.runId}&path=model/MLmodel`, 'artifact_path: model\n');

    // MLflow's 10 MB limit, missing fields, unknown runs and traversal answer in its error shape.
    const big = await upload(`run_uuid=${fresh.runId}&path=big.bin`, bytes(10 * MiB + 1));
    expect([big.status, big.json?.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect((await upload(`run_uuid=${fresh.runId}`, 'x')).json?.message).toBe(
      'Request must specify path.',
    );
    expect((await upload(`run_uuid=${'f'.repeat(32)}&path=a.txt`, 'x')).status).toBe(404);
    expect((await upload(`run_uuid=${fresh.runId}&path=../escape.txt`, 'x')).status).toBe(400);

    const name = `ui-model-${backend}`;
    await k.kiln.post(`${API}/registered-models/create`, { name });
    const created = await k.kiln.post(`${API}/model-versions/create`, {
      name,
      source: `runs:/${fresh.runId}/model`,
      run_id: fresh.runId,
    });
    expect(created.status).toBe(200);
    const file = (query: string) =>
      rawRequest(k.url, 'GET', `/model-versions/get-artifact?name=${name}&${query}`);
    const mlmodel = await file('version=1&path=MLmodel');
    expect(mlmodel.status).toBe(200);
    expect(mlmodel.body.toString()).toBe('artifact_path: model\n');
    expect(mlmodel.headers['content-disposition']).toBe('attachment; filename="MLmodel"');
    expect((await file('version=1&path=data/w.bin')).body.equals(payload)).toBe(true);
    expect((await file('version=1&path=nope')).status).toBe(404);
    expect((await file('version=9&path=MLmodel')).status).toBe(404);
    expect((await file('version=1&path=../../x')).status).toBe(400);
  });

  if (backend === 'local') {
    it("answers MLflow's exact 501 for multipart, so clients fall back to a single PUT", async () => {
      for (const op of ['create', 'complete', 'abort']) {
        const res = await rawRequest(
          k.url,
          'POST',
          `${PROXY}/mpu/${op}/${root}`,
          JSON.stringify({ path: 'model.bin', num_parts: 2, upload_id: 'x', parts: [] }),
          { 'content-type': 'application/json' },
        );
        expect([res.status, res.json]).toEqual([501, MULTIPART_501]);
      }
      const presigned = await rawRequest(k.url, 'GET', `${PROXY}/mpd/presigned/${root}/notes.txt`);
      expect(presigned.status).toBe(501);
    });
  }

  if (backend === 's3') {
    const mpu = (op: string, body: unknown) =>
      rawRequest(k.url, 'POST', `${PROXY}/mpu/${op}/${root}/mpu`, JSON.stringify(body), {
        'content-type': 'application/json',
      });
    const sendPart = async (url: string, data: Buffer) => {
      const res = await fetch(url, { method: 'PUT', body: data });
      expect(res.status).toBe(200);
      return res.headers.get('etag') ?? '';
    };

    it('runs a multipart upload as the MLflow client does: create, PUT parts, complete', async () => {
      const parts = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(1234, 3)];
      const created = await mpu('create', { path: '/home/me/model.bin', num_parts: 3 });
      expect(created.status).toBe(200);
      expect(created.json.upload_id).toEqual(expect.any(String));
      expect(created.json.credentials.map((c: { part_number: number }) => c.part_number)).toEqual([
        1, 2, 3,
      ]);
      const done = [];
      for (const [i, c] of (
        created.json.credentials as { url: string; part_number: number }[]
      ).entries()) {
        done.push({
          part_number: c.part_number,
          etag: await sendPart(c.url, parts[i]),
          url: c.url,
        });
      }
      const completed = await mpu('complete', {
        path: 'model.bin',
        upload_id: created.json.upload_id,
        parts: done,
      });
      expect([completed.status, completed.json]).toEqual([200, {}]);
      const back = await get('mpu/model.bin');
      expect(back.body.equals(Buffer.concat(parts))).toBe(true);
      expect(await leftovers()).toEqual([]);

      const presigned = await rawRequest(
        k.url,
        'GET',
        `${PROXY}/mpd/presigned/${root}/mpu/model.bin`,
      );
      expect(presigned.json.file_size).toBe(10 * MiB + 1234);
    });

    it('aborts a multipart upload, and refuses a bad ETag or an unknown upload', async () => {
      const created = await mpu('create', { path: 'aborted.bin', num_parts: 2 });
      const [first, second] = created.json.credentials as { url: string }[];
      const etag1 = await sendPart(first.url, bytes(5 * MiB, 4));
      await sendPart(second.url, bytes(10, 5));
      const bad = await mpu('complete', {
        path: 'aborted.bin',
        upload_id: created.json.upload_id,
        parts: [
          { part_number: 1, etag: etag1 },
          { part_number: 2, etag: '"00000000000000000000000000000000"' },
        ],
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error_code).toBe('INVALID_PARAMETER_VALUE');
      const aborted = await mpu('abort', {
        path: 'aborted.bin',
        upload_id: created.json.upload_id,
      });
      expect([aborted.status, aborted.json]).toEqual([200, {}]);
      expect(await leftovers()).toEqual([]);
      const again = await mpu('abort', { path: 'aborted.bin', upload_id: created.json.upload_id });
      expect(again.status).toBe(404);
      expect((await get('mpu/aborted.bin')).status).toBe(404);
      const tooMany = await mpu('create', { path: 'x.bin', num_parts: 10_001 });
      expect(tooMany.status).toBe(400);
    });
  }
});
