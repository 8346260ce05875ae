import { MlflowError } from 'src/common/mlflow-error';
import { decodeArtifactPath, fileName, normalizeArtifactPath } from './artifact-path';
import { parseRunsUri, proxiedArtifactKey } from './artifact-uri';
import { guessContentType } from './content-type';

function refused(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return err instanceof MlflowError && err.message === 'Invalid path' && err.status === 400;
  }
}

describe('artifact paths', () => {
  it.each([
    ['1/abc/artifacts/model/MLmodel', '1/abc/artifacts/model/MLmodel'],
    ['dir/', 'dir'],
    ['with space/ü名.txt', 'with space/ü名.txt'],
    ['100%.txt', '100%.txt'],
    ['a..b/c...d', 'a..b/c...d'],
    ['.hidden', '.hidden'],
  ])('keeps %s', (input, normal) => {
    expect(normalizeArtifactPath(input)).toBe(normal);
  });

  it.each([
    '..',
    'a/../b',
    '/abs',
    'C:/x',
    'c:x',
    'a\\b',
    'a#b',
    'a\u0000b',
    'a\nb',
    'a//b',
    './a',
    'a/./b',
    '...',
    '. .',
    '%2e%2e/x',
    '%252e%252e/x',
    '%c0%ae%c0%ae/x',
    'a\uFFFDb',
    'x'.repeat(256),
    `${'a/'.repeat(600)}b`,
  ])('refuses %j', (input) => {
    expect(refused(() => normalizeArtifactPath(input))).toBe(true);
  });

  it('treats the root as a path only where allowed', () => {
    expect(normalizeArtifactPath('', true)).toBe('');
    expect(refused(() => normalizeArtifactPath(''))).toBe(true);
  });

  it('decodes a URL path once, then checks it', () => {
    expect(decodeArtifactPath('a%20b/c%25d.txt')).toBe('a b/c%d.txt');
    expect(refused(() => decodeArtifactPath('..%2Fx'))).toBe(true);
    expect(refused(() => decodeArtifactPath('%E0%A4%A'))).toBe(true);
  });

  it('takes the basename of a multipart file name', () => {
    expect(fileName('/home/me/model.bin')).toBe('model.bin');
    expect(fileName('C:\\Users\\me\\model.bin')).toBe('model.bin');
    expect(refused(() => fileName('a/..'))).toBe(true);
  });
});

describe('artifact URIs', () => {
  it.each([
    ['mlflow-artifacts:/1/abc/artifacts', '1/abc/artifacts'],
    ['mlflow-artifacts://host:5000/1/abc/artifacts', '1/abc/artifacts'],
    ['mlflow-artifacts:/', ''],
    ['http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts', '1/abc/artifacts'],
    ['https://h/prefix/api/2.0/mlflow-artifacts/artifacts/1/a%20b', '1/a b'],
  ])('maps %s to its store key', (uri, key) => {
    expect(proxiedArtifactKey(uri)).toBe(key);
  });

  it('leaves other locations to the client, and refuses traversal in proxied ones', () => {
    expect(proxiedArtifactKey('s3://bucket/1/abc')).toBeUndefined();
    expect(proxiedArtifactKey('/tmp/mlruns/1')).toBeUndefined();
    expect(proxiedArtifactKey('https://example.com/other')).toBeUndefined();
    expect(refused(() => proxiedArtifactKey('mlflow-artifacts:/../../etc'))).toBe(true);
  });

  it('splits runs:/ URIs', () => {
    expect(parseRunsUri('runs:/abc/model/MLmodel')).toEqual({
      runId: 'abc',
      path: 'model/MLmodel',
    });
    expect(parseRunsUri('runs:/abc')).toEqual({ runId: 'abc', path: '' });
    expect(refused(() => parseRunsUri('runs:/abc/../x'))).toBe(true);
  });
});

describe('content types', () => {
  it.each([
    ['config.json', 'text/plain'],
    ['MLmodel', 'text/plain'],
    ['conda.yaml', 'text/plain'],
    ['requirements.txt', 'text/plain'],
    ['page.html', 'text/plain'],
    ['model.pkl', 'application/octet-stream'],
    ['weights.bin', 'application/octet-stream'],
    ['plot.PNG', 'image/png'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    expect(guessContentType(name)).toBe(type);
  });
});
