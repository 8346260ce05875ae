import {
  hasTraversal,
  isLocalUri,
  joinArtifactUri,
  localPath,
  parseModelUri,
  parseRunsUri,
} from './model-uri';

describe('parseRunsUri', () => {
  it.each([
    ['runs:/abc/model', { runId: 'abc', artifactPath: 'model' }],
    ['runs:/abc/a/b/', { runId: 'abc', artifactPath: 'a/b' }],
    ['runs:/abc', { runId: 'abc', artifactPath: '' }],
    ['RUNS:/abc/m', { runId: 'abc', artifactPath: 'm' }],
  ])('reads %s', (uri, expected) => expect(parseRunsUri(uri)).toEqual(expected));

  it.each(['runs:/', 'runs:abc/model', 'runs://host/abc/model', 's3://b/k', 'model'])(
    'refuses %s',
    (uri) => expect(parseRunsUri(uri)).toBeUndefined(),
  );

  it('joins a run artifact root and a path', () => {
    expect(joinArtifactUri('mlflow-artifacts:/1/r/artifacts/', 'model')).toBe(
      'mlflow-artifacts:/1/r/artifacts/model',
    );
    expect(joinArtifactUri('s3://b/r/artifacts', '')).toBe('s3://b/r/artifacts');
  });
});

describe('parseModelUri', () => {
  it.each([
    ['models:/m/3', { kind: 'version', name: 'm', version: '3' }],
    ['models:/m/Production', { kind: 'stage', name: 'm', stage: 'Production' }],
    ['models:/m/LATEST', { kind: 'latest', name: 'm' }],
    ['models:/m@champion', { kind: 'alias', name: 'm', alias: 'champion' }],
    ['models:/m-0123', { kind: 'model-id', modelId: 'm-0123' }],
  ])('reads %s', (uri, expected) => expect(parseModelUri(uri)).toEqual(expected));

  it.each(['models:/', 'models:/a/b/c', 'models:/ /1', 'models:/m@', 'models://h/m/1', 'runs:/x'])(
    'refuses %s',
    (uri) => expect(parseModelUri(uri)).toBeUndefined(),
  );
});

describe('sources', () => {
  it('tells local sources from remote ones', () => {
    expect(isLocalUri('/tmp/model')).toBe(true);
    expect(isLocalUri('model')).toBe(true);
    expect(isLocalUri('file:///tmp/model')).toBe(true);
    expect(isLocalUri('C:\\models\\m')).toBe(true);
    expect(isLocalUri('s3://b/k')).toBe(false);
    expect(isLocalUri('runs:/abc/model')).toBe(false);
  });

  it('normalises local paths', () => {
    expect(localPath('file:///data/runs/../runs/x/')).toBe('/data/runs/x');
    expect(localPath('/a/./b//c')).toBe('/a/b/c');
    expect(localPath('file:///a%20b')).toBe('/a b');
  });

  it.each([
    ['s3://b/a/../k', true],
    ['s3://b/a/%2E%2E/k', true],
    ['s3://b/a/%252E%252E/k', true],
    ['https://h/a/..%2Fb', true],
    ['s3://b/a\u0000', true],
    ['s3://b/a..b/k', false],
    ['mlflow-artifacts:/1/r/artifacts/model', false],
  ])('%s climbs out of its location: %s', (uri, expected) => {
    expect(hasTraversal(uri)).toBe(expected);
  });
});
