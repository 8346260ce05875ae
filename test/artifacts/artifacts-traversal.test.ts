import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  API,
  BACKENDS,
  createRun,
  PROXY,
  startArtifactsKiln,
  type ArtifactsKiln,
} from './support/artifacts-kiln';
import { rawRequest, type RawReply } from './support/http';

/**
 * Hostile artifact paths, as they appear in a URL (still percent-encoded). Each is refused with
 * 400 INVALID_PARAMETER_VALUE "Invalid path" by every route that takes a path, and nothing is
 * written anywhere. They cover MLflow's path-traversal CVEs (literal and encoded `..`, encoded
 * slashes, absolute paths, backslashes, fragments, NUL) and the usual variants.
 */
const HOSTILE: string[] = [
  '../../../../probe-1.txt',
  '1/r/artifacts/../../../../../probe-2.txt',
  '%2E%2E/%2E%2E/%2E%2E/probe-3.txt',
  '%2e%2e/%2e%2e/probe-4.txt',
  '..%2F..%2F..%2Fprobe-5.txt',
  '..%2f..%2fprobe-6.txt',
  '%2E%2E%2F%2E%2E%2Fprobe-7.txt',
  '%252E%252E/%252E%252E/probe-8.txt',
  '..%252F..%252Fprobe-9.txt',
  '/etc/probe-10.txt',
  '%2Fetc%2Fprobe-11.txt',
  '..\\..\\probe-12.txt',
  '..%5C..%5Cprobe-13.txt',
  'C:%5CWindows%5Cprobe-14.txt',
  'C:/Windows/probe-15.txt',
  'c:probe-16.txt',
  'probe-17.txt%00',
  'probe-18.txt%00.png',
  'a/%00/probe-19.txt',
  'probe-20.txt%23frag',
  '%23probe-21.txt',
  '.../.../probe-22.txt',
  '...%2F...%2Fprobe-23.txt',
  'a/../../probe-24.txt',
  'a/./../../probe-25.txt',
  '.%2E/.%2E/probe-26.txt',
  '%2E./probe-27.txt',
  '%C0%AE%C0%AE/probe-28.txt',
  '%E0%80%AE%E0%80%AE/probe-29.txt',
  '..%C0%AFprobe-30.txt',
  '%uFF0E%uFF0E/probe-31.txt',
  'a/%2e%2e%2f%2e%2e%2f%2e%2e%2fprobe-32.txt',
  '..%00/probe-33.txt',
  '%0Aprobe-34.txt',
  '%5C%5Cserver%5Cshare%5Cprobe-35.txt',
  '\\\\server\\share\\probe-36.txt',
  'a/b/..',
  '..',
  '%2e%2e',
  '....//....//probe-40.txt',
  '.%20./probe-41.txt',
  'a//probe-44.txt',
  './probe-45.txt',
  'a/%2F/probe-46.txt',
  '%2e%2e%5cprobe-42.txt',
  '%%32%65%%32%65/probe-43.txt',
];

/** The same paths as a query or JSON value would carry them: decoded once. */
function decodedForm(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function expectInvalidPath(res: RawReply, what: string): void {
  const got = `${what} → ${res.status} ${res.body.toString().slice(0, 120)}`;
  expect(
    res.status === 400 &&
      res.json?.error_code === 'INVALID_PARAMETER_VALUE' &&
      res.json?.message === 'Invalid path'
      ? 'refused'
      : got,
  ).toBe('refused');
}

/** Every file under `dir` (relative paths), skipping nothing. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

it('lists at least 30 hostile paths', () => {
  expect(new Set(HOSTILE).size).toBe(HOSTILE.length);
  expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
});

describe.each(BACKENDS)('path traversal: %s store', (backend) => {
  let k: ArtifactsKiln;
  let runRoot: string;
  let runId: string;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    k = await startArtifactsKiln(backend);
    ({ root: runRoot, runId } = await createRun(k.kiln));
    // A bait outside the artifact root, beside the data folder.
    writeFileSync(path.join(k.sandbox, 'secret.txt'), 'do not serve me');
    await rawRequest(k.url, 'PUT', `${PROXY}/artifacts/${runRoot}/ok.txt`, 'ok');
  });
  afterAll(async () => {
    await k?.stop();
  });

  it.each(HOSTILE)('refuses %s on every route', async (hostile) => {
    const url = (route: string) => `${PROXY}/${route}/${hostile}`;
    const runRelative = `${runRoot}/${hostile}`;
    const decoded = decodedForm(hostile);
    const q = encodeURIComponent(decoded);
    const attempts: [string, Promise<RawReply>][] = [
      ['PUT', rawRequest(k.url, 'PUT', url('artifacts'), 'probe\n')],
      ['PUT in run', rawRequest(k.url, 'PUT', `${PROXY}/artifacts/${runRelative}`, 'probe\n')],
      ['GET', rawRequest(k.url, 'GET', url('artifacts'))],
      ['GET in run', rawRequest(k.url, 'GET', `${PROXY}/artifacts/${runRelative}`)],
      ['DELETE', rawRequest(k.url, 'DELETE', url('artifacts'))],
      ['DELETE in run', rawRequest(k.url, 'DELETE', `${PROXY}/artifacts/${runRelative}`)],
      ['list ?path=', rawRequest(k.url, 'GET', `${PROXY}/artifacts?path=${q}`)],
      ['list ?path= raw', rawRequest(k.url, 'GET', `${PROXY}/artifacts?path=${hostile}`)],
      [
        'mpu create',
        rawRequest(k.url, 'POST', url('mpu/create'), '{"path":"x","num_parts":1}', json),
      ],
      ['mpu complete', rawRequest(k.url, 'POST', url('mpu/complete'), '{"path":"x"}', json)],
      ['mpu abort', rawRequest(k.url, 'POST', url('mpu/abort'), '{"path":"x"}', json)],
      ['presigned', rawRequest(k.url, 'GET', url('mpd/presigned'))],
      [
        'artifacts/list',
        rawRequest(k.url, 'GET', `${API}/artifacts/list?run_id=${runId}&path=${q}`),
      ],
      ['get-artifact', rawRequest(k.url, 'GET', `/get-artifact?run_id=${runId}&path=${q}`)],
      [
        'upload-artifact',
        rawRequest(
          k.url,
          'POST',
          `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=${q}`,
          'probe\n',
        ),
      ],
    ];
    if (backend === 's3' && !decoded.includes('/') && !decoded.includes('\\')) {
      // As a multipart file name (the body's `path`; only its basename is used). The local
      // store answers 501 before reading the body, so only S3 gets this far.
      attempts.push([
        'mpu create body',
        rawRequest(
          k.url,
          'POST',
          `${PROXY}/mpu/create/${runRoot}`,
          JSON.stringify({ path: decoded, num_parts: 1 }),
          json,
        ),
      ]);
    }
    for (const [what, reply] of attempts) expectInvalidPath(await reply, what);
  });

  it('wrote nothing anywhere, served no bait, and kept working', async () => {
    if (backend === 'local') {
      // Outside the root: only the bait and the data folder.
      expect(readdirSync(k.sandbox).sort()).toEqual(['data', 'secret.txt']);
      expect(readdirSync(k.dataDir)).toEqual(['artifacts']);
      // Inside the root: only the control file (and the empty staging folder).
      expect(tree(k.root)).toEqual([`${runRoot}/ok.txt`]);
      expect(statSync(path.join(k.sandbox, 'secret.txt')).size).toBe(15);
    } else {
      expect(await k.s3!.keys()).toEqual([`${runRoot}/ok.txt`]);
      expect(await k.s3!.pendingUploads()).toEqual([]);
    }
    const ok = await rawRequest(k.url, 'GET', `${PROXY}/artifacts/${runRoot}/ok.txt`);
    expect(ok.body.toString()).toBe('ok');
  });

  if (backend === 'local') {
    it('refuses symlinks that lead out of the root, and follows none to write', async () => {
      const outside = path.join(k.sandbox, 'outside');
      mkdirSync(outside);
      writeFileSync(path.join(outside, 'secret.txt'), 'outside');
      const runDir = path.join(k.root, runRoot);
      symlinkSync(outside, path.join(runDir, 'link-dir'));
      symlinkSync(path.join(outside, 'secret.txt'), path.join(runDir, 'link-file.txt'));
      symlinkSync(path.join(outside, 'nowhere'), path.join(runDir, 'dangling'));
      symlinkSync('/', path.join(k.root, 'slash'));

      const base = `${PROXY}/artifacts/${runRoot}`;
      expectInvalidPath(
        await rawRequest(k.url, 'GET', `${base}/link-dir/secret.txt`),
        'GET via dir link',
      );
      expectInvalidPath(await rawRequest(k.url, 'GET', `${base}/link-file.txt`), 'GET file link');
      expectInvalidPath(
        await rawRequest(k.url, 'PUT', `${base}/link-dir/new.txt`, 'x'),
        'PUT via dir link',
      );
      expectInvalidPath(
        await rawRequest(k.url, 'PUT', `${base}/dangling/new.txt`, 'x'),
        'PUT via dangling',
      );
      expectInvalidPath(
        await rawRequest(k.url, 'DELETE', `${base}/link-dir/secret.txt`),
        'DELETE via link',
      );
      expectInvalidPath(
        await rawRequest(k.url, 'GET', `${PROXY}/artifacts/slash/etc/passwd`),
        'GET /',
      );
      const listed = await rawRequest(
        k.url,
        'GET',
        `${PROXY}/artifacts?path=${encodeURIComponent(`${runRoot}/link-dir`)}`,
      );
      expectInvalidPath(listed, 'list via dir link');
      // The links themselves are not listed as artifacts.
      const runList = await rawRequest(k.url, 'GET', `${PROXY}/artifacts?path=${runRoot}`);
      expect(runList.json.files.map((f: { path: string }) => f.path)).toEqual(['ok.txt']);
      expect(readdirSync(outside)).toEqual(['secret.txt']);

      // Replacing a file link replaces the link, not the file it points to.
      await rawRequest(k.url, 'PUT', `${base}/link-file.txt`, 'replaced');
      expect(readdirSync(outside)).toEqual(['secret.txt']);
      expect((await rawRequest(k.url, 'GET', `${base}/link-file.txt`)).body.toString()).toBe(
        'replaced',
      );

      // A link that stays inside the root is followed.
      symlinkSync(runDir, path.join(k.root, 'alias'));
      const viaAlias = await rawRequest(k.url, 'GET', `${PROXY}/artifacts/alias/ok.txt`);
      expect(viaAlias.body.toString()).toBe('ok');
    });

    it('refuses the staging folder as an artifact path', async () => {
      expectInvalidPath(
        await rawRequest(k.url, 'PUT', `${PROXY}/artifacts/.kiln-staging/x.txt`, 'x'),
        'PUT staging',
      );
      expectInvalidPath(
        await rawRequest(k.url, 'GET', `${PROXY}/artifacts?path=.kiln-staging`),
        'list staging',
      );
    });
  }
});
