/**
 * Artifact proxy throughput and server memory: uploads a 1 GiB file through
 * `PUT /api/2.0/mlflow-artifacts/artifacts/...`, downloads it back, and samples the server
 * process's resident memory throughout, for the local-folder store and the S3 store (s3rver,
 * in this process, so its memory is not counted as Kiln's). The download is checked against
 * the upload's SHA-256. Results go to bench/RESULTS.md under "## Artifacts".
 *
 * Run: npm run build && npx tsx bench/artifacts/artifacts-throughput.ts
 * Sizes: KILN_BENCH_ARTIFACT_MB, a comma-separated list of MiB (default 1024).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as prettier from 'prettier';
import { startS3, type TestS3 } from '../../test/artifacts/support/s3-server';
import { benchServer, type BenchServer } from '../support';

const MiB = 1024 * 1024;
const SIZES_MB = (process.env.KILN_BENCH_ARTIFACT_MB ?? '1024').split(',').map(Number);
const CHUNK = MiB;

interface Memory {
  rss: number;
  hwm: number;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process (Linux: clear_refs 5). */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted: the sampled maximum still applies.
  }
}

/** Samples the resident memory every 20 ms until stopped; returns the highest seen. */
function sampler(pid: number): () => number {
  let peak = memoryOf(pid).rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss);
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, memoryOf(pid).rss, memoryOf(pid).hwm);
  };
}

/** `size` bytes of pseudo-random data, generated as it is read (the client holds 1 MiB). */
function source(size: number): { stream: Readable; digest: () => string } {
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const chunk = Buffer.from(block); // a fresh buffer per chunk: the socket may still hold the last
      chunk.writeUInt32LE(sent / CHUNK, 0); // no two chunks alike
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

function request(
  url: string,
  method: string,
  body?: Readable,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

interface Result {
  backend: string;
  sizeMB: number;
  uploadMBps: number;
  downloadMBps: number;
  baselineMB: number;
  uploadPeakMB: number;
  downloadPeakMB: number;
  verified: boolean;
}

const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

async function measure(backend: 'local' | 's3', sizeMB: number): Promise<Result> {
  const size = sizeMB * MiB;
  const sandbox = mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-artifacts-'));
  let s3: TestS3 | undefined;
  let kiln: BenchServer | undefined;
  try {
    s3 = backend === 's3' ? await startS3() : undefined;
    kiln = await benchServer({
      KILN_AUTH: 'off',
      KILN_DATA_DIR: path.join(sandbox, 'data'),
      ...(s3?.env ?? {}),
    });
    const exp = await kiln.call('POST', '/api/2.0/mlflow/experiments/create', {
      name: `bench-${backend}`,
    });
    const run = await kiln.call('POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: exp.body.experiment_id,
    });
    const root = `${exp.body.experiment_id}/${run.body.run.info.run_id}/artifacts`;
    const fileUrl = `${kiln.url}/api/2.0/mlflow-artifacts/artifacts/${root}/model/weights.bin`;

    // Warm up both directions with a small file, then take the baseline.
    const warm = Readable.from([Buffer.alloc(8 * MiB)]);
    await request(`${kiln.url}/api/2.0/mlflow-artifacts/artifacts/${root}/warm.bin`, 'PUT', warm, {
      'content-length': String(8 * MiB),
    });
    await request(`${kiln.url}/api/2.0/mlflow-artifacts/artifacts/${root}/warm.bin`, 'GET');
    await new Promise((r) => setTimeout(r, 500));
    const baseline = memoryOf(kiln.pid).rss;

    resetPeak(kiln.pid);
    const data = source(size);
    let stop = sampler(kiln.pid);
    let started = process.hrtime.bigint();
    const put = await request(fileUrl, 'PUT', data.stream, {
      'content-length': String(size),
      'content-type': 'application/octet-stream',
    });
    const uploadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const uploadPeak = stop();
    if (put.status !== 200) throw new Error(`upload answered ${put.status}`);
    const uploadDigest = data.digest();

    resetPeak(kiln.pid);
    stop = sampler(kiln.pid);
    started = process.hrtime.bigint();
    const got = await request(fileUrl, 'GET');
    const downloadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const downloadPeak = stop();
    if (got.status !== 200) throw new Error(`download answered ${got.status}`);

    return {
      backend,
      sizeMB,
      uploadMBps: Math.round(sizeMB / uploadSeconds),
      downloadMBps: Math.round(sizeMB / downloadSeconds),
      baselineMB: mb(baseline),
      uploadPeakMB: mb(uploadPeak),
      downloadPeakMB: mb(downloadPeak),
      verified: got.bytes === size && got.sha256 === uploadDigest,
    };
  } finally {
    await kiln?.stop();
    await s3?.stop();
    rmSync(sandbox, { recursive: true, force: true });
  }
}

function report(results: Result[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.backend} | ${r.sizeMB} | ${r.uploadMBps} | ${r.downloadMBps} | ${r.baselineMB} | ${r.uploadPeakMB} (+${mb((r.uploadPeakMB - r.baselineMB) * MiB)}) | ${r.downloadPeakMB} (+${mb((r.downloadPeakMB - r.baselineMB) * MiB)}) | ${r.verified ? 'yes' : 'NO'} |`,
  );
  return [
    '## Artifacts',
    '',
    'A file uploaded with one `PUT /api/2.0/mlflow-artifacts/artifacts/...` ' +
      '(Content-Length set, as the MLflow client sends it) and downloaded with one `GET`, over ' +
      'loopback, against the built server (`bin/kiln.js server`, its own process). Server memory ' +
      'is its resident set (VmRSS sampled every 20 ms, and the kernel peak VmHWM reset before ' +
      'each transfer); the baseline is taken after an 8 MiB warm-up. S3 is s3rver (from npm, ' +
      'in the bench process, writing to the same disk), so its figures include s3rver\u2019s own ' +
      'cost and are a floor, not what MinIO or AWS would give. The download is checked ' +
      'against the upload\u2019s SHA-256.',
    '',
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ` +
      `${new Date().toISOString().slice(0, 10)}. Run: \`npm run build && npx tsx bench/artifacts/artifacts-throughput.ts\`.`,
    '',
    '| store | file (MiB) | upload MB/s | download MB/s | server RSS before (MB) | peak during upload (MB) | peak during download (MB) | bytes verified |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * Replaces the "## Artifacts" section of bench/RESULTS.md (or appends it), keeping the rest,
 * formatted as `prettier --check` expects.
 */
async function writeResults(section: string): Promise<void> {
  const file = path.resolve(__dirname, '..', 'RESULTS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = current.search(/^## Artifacts\s*$/m);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const rest = current.slice(start + 1).search(/^## /m);
    const end = rest < 0 ? current.length : start + 1 + rest;
    next = `${current.slice(0, start)}${section}${rest < 0 ? '' : `\n${current.slice(end)}`}`;
  }
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(next, { ...options, filepath: file }));
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const sizeMB of SIZES_MB) {
    for (const backend of ['local', 's3'] as const) {
      console.log(`artifacts bench: ${backend}, ${sizeMB} MiB ...`);
      const result = await measure(backend, sizeMB);
      console.log(result);
      results.push(result);
    }
  }
  const section = report(results);
  console.log(section);
  await writeResults(section);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
