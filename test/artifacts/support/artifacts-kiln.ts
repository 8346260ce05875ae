import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKiln, type TestKiln } from '../../support/kiln';
import { randomName } from './http';
import { startS3, type TestS3 } from './s3-server';

export type Backend = 'local' | 's3';
export const BACKENDS: Backend[] = ['local', 's3'];

export const PROXY = '/api/2.0/mlflow-artifacts';
export const API = '/api/2.0/mlflow';

/** A Kiln server over a fresh database, with the local artifact folder or a test S3 bucket. */
export interface ArtifactsKiln {
  backend: Backend;
  kiln: TestKiln;
  url: string;
  /** A temporary folder holding KILN_DATA_DIR (and nothing else of value). */
  sandbox: string;
  dataDir: string;
  /** The local artifact root (unused with S3). */
  root: string;
  s3?: TestS3;
  stop(): Promise<void>;
}

export async function startArtifactsKiln(backend: Backend): Promise<ArtifactsKiln> {
  const sandbox = mkdtempSync(path.join(os.tmpdir(), 'kiln-artifacts-'));
  const dataDir = path.join(sandbox, 'data');
  const s3 = backend === 's3' ? await startS3() : undefined;
  const kiln = await startKiln({ KILN_DATA_DIR: dataDir, ...(s3?.env ?? {}) });
  return {
    backend,
    kiln,
    url: kiln.url,
    sandbox,
    dataDir,
    root: path.join(dataDir, 'artifacts'),
    s3,
    stop: async () => {
      await kiln.stop();
      await s3?.stop();
      rmSync(sandbox, { recursive: true, force: true });
    },
  };
}

/** Creates an experiment and a run through the REST API; returns their ids and artifact root. */
export async function createRun(
  kiln: TestKiln,
): Promise<{ experimentId: string; runId: string; root: string; artifactUri: string }> {
  const exp = await kiln.post(`${API}/experiments/create`, { name: randomName('exp') });
  expect(exp.status).toBe(200);
  const experimentId = exp.body.experiment_id as string;
  const run = await kiln.post(`${API}/runs/create`, { experiment_id: experimentId });
  expect(run.status).toBe(200);
  const runId = run.body.run.info.run_id as string;
  const artifactUri = run.body.run.info.artifact_uri as string;
  return { experimentId, runId, root: `${experimentId}/${runId}/artifacts`, artifactUri };
}
