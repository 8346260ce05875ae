import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, basic, bearer, startTeamKiln, type As } from 'test/auth/auth-fixture';
import type { TestKiln } from 'test/support/kiln';

/**
 * A release engineer's promotion through the OpenAPI UI: authorize on /docs with a JWT, move a
 * version to Production with "Try it out", and find the transition in the audit trail.
 * Runs Debian's Chromium (CI installs it); CHROMIUM_PATH points elsewhere when needed.
 */
const API = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';
const MODEL = 'swagger-promoted';
const COMMENT = 'promoted from Swagger';
const TRANSITION_PATH = `${API}/model-versions/transition-stage`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let kiln: TestKiln & { as: As };
let browser: Browser | undefined;
let token: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  kiln = await startTeamKiln();
  const admin = kiln.as(basic(ADMIN.username, ADMIN.password));
  const experiment = await admin.post(`${API}/experiments/create`, { name: 'swagger-exp' });
  expect(experiment.status).toBe(200);
  const run = await admin.post(`${API}/runs/create`, {
    experiment_id: experiment.body.experiment_id,
  });
  expect(run.status).toBe(200);
  const runId: string = run.body.run.info.run_id;
  expect((await admin.post(`${API}/registered-models/create`, { name: MODEL })).status).toBe(200);
  const created = await admin.post(`${API}/model-versions/create`, {
    name: MODEL,
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
  expect(created.status).toBe(200);
  expect(created.body.model_version).toMatchObject({ version: '1', current_stage: 'None' });

  const login = await kiln.post(`${KILN}/auth/login`, ADMIN);
  expect(login.status).toBe(200);
  token = login.body.access_token;
  expect(typeof token).toBe('string');

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 45_000);

afterAll(async () => {
  await browser?.close();
  await kiln?.stop();
});

/**
 * Runs the steps; on failure leaves a screenshot in a temp dir and says where. The viewport, not
 * the full page: the page is ~13000 px tall and Playwright has scrolled to the last step.
 */
async function withScreenshotOnFailure(page: Page, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (err) {
    const file = join(mkdtempSync(join(tmpdir(), 'kiln-swagger-')), 'failure.png');
    await page.screenshot({ path: file }).catch(() => undefined);
    if (err instanceof Error) err.message += `\nScreenshot: ${file}`;
    throw err;
  }
}

it('authorizes on /docs with a JWT and promotes a version to Production', async () => {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await withScreenshotOnFailure(page, async () => {
      await page.goto(`${kiln.url}/docs`);

      // Authorize: the bearer scheme's dialog, paste the JWT, authorize, close.
      await page.locator('.scheme-container button.authorize').click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('.auth-container input').first().fill(token);
      await dialog.locator('.auth-btn-wrapper button.authorize').click();
      await dialog.locator('.auth-btn-wrapper button.btn-done').click();
      await dialog.waitFor({ state: 'detached' });
      await page.locator('.scheme-container button.authorize.locked').waitFor();

      // The transition-stage operation (under its MLflow path, not the ajax-api alias).
      const operation = page
        .locator('.opblock.opblock-post')
        .filter({
          has: page.locator(`.opblock-summary-path[data-path="${TRANSITION_PATH}"]`),
        })
        .first();
      await operation.locator('.opblock-summary').click();
      await operation.locator('button.try-out__btn').click();
      await operation.locator('textarea.body-param__text').fill(
        JSON.stringify(
          {
            name: MODEL,
            version: '1',
            stage: 'Production',
            archive_existing_versions: false,
            comment: COMMENT,
          },
          null,
          2,
        ),
      );
      await operation.locator('button.execute').click();

      // The live server response, not the documented responses table.
      const response = operation.locator('.responses-wrapper .live-responses-table .response');
      await response.scrollIntoViewIfNeeded();
      await expect(response.locator('.response-col_status').textContent()).resolves.toMatch(
        /^\s*200\b/,
      );
      const body = await response.locator('.response-col_description pre').first().textContent();
      expect(body).toContain('"current_stage": "Production"');
    });
  } finally {
    await context.close();
  }

  // The API agrees, and the audit trail names the admin who did it.
  const api = kiln.as(bearer(token));
  const version = await api.get(`${API}/model-versions/get`, { name: MODEL, version: '1' });
  expect(version.status).toBe(200);
  expect(version.body.model_version.current_stage).toBe('Production');
  const audit = await api.get(`${KILN}/model-versions/audit`, { name: MODEL, version: '1' });
  expect(audit.status).toBe(200);
  expect(audit.body.events).toEqual([
    expect.objectContaining({
      action: 'TRANSITION_STAGE',
      name: MODEL,
      version: '1',
      from_stage: 'None',
      to_stage: 'Production',
      user_id: ADMIN.username,
      comment: COMMENT,
    }),
  ]);
}, 60_000);
