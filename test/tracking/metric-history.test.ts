import { startKiln, type TestKiln } from 'test/support/kiln';

const API = '/api/2.0/mlflow';
let kiln: TestKiln;
let runId: string;
const STEPS = 2500;

beforeAll(async () => {
  kiln = await startKiln();
  const exp = await kiln.post(`${API}/experiments/create`, { name: 'history' });
  runId = (await kiln.post(`${API}/runs/create`, { experiment_id: exp.body.experiment_id })).body
    .run.info.run_id;
  for (let from = 0; from < STEPS; from += 1000) {
    const metrics = Array.from({ length: Math.min(1000, STEPS - from) }, (_, i) => ({
      key: 'loss',
      value: 1 / (from + i + 1),
      timestamp: 1_700_000_000_000 + from + i,
      step: from + i,
    }));
    expect((await kiln.post(`${API}/runs/log-batch`, { run_id: runId, metrics })).status).toBe(200);
  }
});
afterAll(() => kiln.stop());

const steps = (body: { metrics: { step: number }[] }) => body.metrics.map((m) => m.step);

describe('metric history', () => {
  it('returns the whole history of get-history', async () => {
    const res = await kiln.get(`${API}/metrics/get-history`, { run_id: runId, metric_key: 'loss' });
    expect(res.body.metrics).toHaveLength(STEPS);
    expect(res.body.next_page_token).toBeUndefined();
  });

  it('downsamples get-history-bulk-interval evenly, keeping the first and last step', async () => {
    const res = await kiln.get(`${API}/metrics/get-history-bulk-interval`, {
      run_ids: runId,
      metric_key: 'loss',
      max_results: '320',
    });
    const got = steps(res.body);
    expect(got.length).toBeLessThanOrEqual(320);
    expect(got.length).toBeGreaterThan(300);
    expect(got[0]).toBe(0);
    expect(got[got.length - 1]).toBe(STEPS - 1);
    expect(res.body.metrics[0].run_id).toBe(runId);
    // Even spacing: no gap more than twice the ideal stride.
    const gaps = got.slice(1).map((s, i) => s - got[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual((2 * (STEPS - 1)) / 319);
  });

  it('honours a step window, and the same sampling is on Kiln history', async () => {
    const window = await kiln.get(`${API}/metrics/get-history-bulk-interval`, {
      run_ids: runId,
      metric_key: 'loss',
      start_step: '100',
      end_step: '200',
      max_results: '11',
    });
    expect(steps(window.body)).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
    const kilnHistory = await kiln.get('/api/2.0/kiln/metrics/history', {
      run_id: runId,
      metric_key: 'loss',
      max_points: '5',
    });
    expect(steps(kilnHistory.body)).toEqual([0, 624, 1249, 1874, 2499]);
    const bad = await kiln.get(`${API}/metrics/get-history-bulk-interval`, {
      run_ids: runId,
      metric_key: 'loss',
      start_step: '5',
    });
    expect(bad.status).toBe(400);
  });
});
