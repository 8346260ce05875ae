import type { AccessRule } from 'src/auth/access.decorator';
import type { Permission } from 'src/auth/permissions';
import type { TestKiln } from 'test/support/kiln';
import { ADMIN, type As, basic, bearer, createUser, startTeamKiln } from './auth-fixture';
import { type AppRoute, controllerRoutes, serverRoutes } from './routes';

/** Routes that answer without credentials, on purpose. */
const PUBLIC = new Set([
  'GET /health',
  'GET /ready',
  'GET /version',
  'POST /api/2.0/kiln/auth/login',
  'POST /api/2.0/kiln/auth/refresh',
]);

const API = '/api/2.0/mlflow';
const LEVELS: Permission[] = ['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE'];
const userOf = (level: Permission) => `user-${level.toLowerCase().replace('_', '-')}`;

let kiln: TestKiln & { as: As };
let routes: AppRoute[];
const ids = {
  experiment: '',
  experimentName: 'matrix-exp',
  run: '',
  loggedModel: '',
  model: 'matrix-model',
};

/** Re-creates the registered model and its grants after a route deleted them. */
async function ensureModel(): Promise<void> {
  const admin = kiln.as(basic(ADMIN.username, ADMIN.password));
  if ((await admin.get(`${API}/registered-models/get`, { name: ids.model })).status === 200) return;
  await admin.post(`${API}/registered-models/create`, { name: ids.model });
  for (const level of LEVELS.slice(1)) {
    await admin.post(`${API}/registered-models/permissions/create`, {
      name: ids.model,
      username: userOf(level),
      permission: level,
    });
  }
}

beforeAll(async () => {
  kiln = await startTeamKiln();
  routes = controllerRoutes(kiln.server.app);
  const admin = kiln.as(basic(ADMIN.username, ADMIN.password));
  ids.experiment = (
    await admin.post(`${API}/experiments/create`, { name: ids.experimentName })
  ).body.experiment_id;
  ids.run = (
    await admin.post(`${API}/runs/create`, { experiment_id: ids.experiment })
  ).body.run.info.run_id;
  ids.loggedModel = (
    await admin.post(`${API}/logged-models`, { experiment_id: ids.experiment })
  ).body.model.info.model_id;
  for (const level of LEVELS) {
    await createUser(kiln, userOf(level));
    if (level === 'NO_PERMISSIONS') continue;
    await admin.post(`${API}/experiments/permissions/create`, {
      experiment_id: ids.experiment,
      username: userOf(level),
      permission: level,
    });
  }
  await ensureModel();
});
afterAll(() => kiln.stop());

/** A request that names the fixture resources in every field a route may read them from. */
function requestFor(
  route: AppRoute,
  username: string,
): { path: string; fields: Record<string, unknown> } {
  const path = route.path
    .replace(':model_id', ids.loggedModel)
    .replace(':tag_key', 'k')
    .replace(/\{?\*path\}?/, `${ids.experiment}/${ids.run}/artifacts/matrix.txt`);
  const fields: Record<string, unknown> = {
    experiment_id: ids.experiment,
    experiment_ids: [ids.experiment],
    experiment_name: ids.experimentName,
    run_id: ids.run,
    run_uuid: ids.run,
    run_ids: [ids.run],
    name: ids.model,
    version: '1',
    username,
    key: 'k',
    value: 'v',
    metric_key: 'm',
    path: `${ids.experiment}/${ids.run}/artifacts`,
  };
  return { path, fields };
}

async function send(route: AppRoute, headers: Record<string, string>, username: string) {
  const { path, fields } = requestFor(route, username);
  const caller = kiln.as(headers);
  const query = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
  );
  if (route.method === 'GET') return caller.get(path, query);
  // Writes carry the fields in the body, and in the query too for the routes whose body is a
  // file (the UI's upload-artifact); routes that read JSON bodies ignore the query.
  const search = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x])),
  );
  return caller.call(route.method, `${path}?${search}`, fields);
}

const label = (r: AppRoute) => `${r.method} ${r.path}`;

describe('permission matrix', () => {
  it('covers every route the server answers, and every route declares its rule', () => {
    const declared = new Set(routes.map(label));
    const served = serverRoutes(kiln.server.app).filter(
      (r) => !r.split(' ')[1].startsWith('/docs'),
    );
    expect(served.filter((r) => !declared.has(r))).toEqual([]);
    expect(routes.filter((r) => r.rule === undefined).map(label)).toEqual([]);
    expect(
      routes
        .filter((r) => r.rule?.kind === 'public')
        .map(label)
        .sort(),
    ).toEqual([...PUBLIC].sort());
    console.log(`permission matrix: ${routes.length} routes`);
  });

  it('refuses every non-public route without credentials (401)', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const res = await send(route, {}, 'nobody');
      const expected = route.rule?.kind === 'public' ? res.status !== 401 : res.status === 401;
      if (!expected) wrong.push(`${label(route)} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('allows or refuses each permission level as the route declares', async () => {
    const wrong: string[] = [];
    const resourceRoutes = routes.filter(
      (r): r is AppRoute & { rule: Extract<AccessRule, { kind: 'resource' }> } =>
        r.rule?.kind === 'resource',
    );
    // Writes that destroy the fixtures run last, so reads and edits see them intact.
    const order = (r: (typeof resourceRoutes)[number]) => LEVELS.indexOf(r.rule.need);
    for (const route of [...resourceRoutes].sort((a, b) => order(a) - order(b))) {
      for (const level of LEVELS) {
        // Deleting a registered model drops its grants too (names may be reused).
        if (route.rule.type === 'registered_model') await ensureModel();
        const res = await send(route, basic(userOf(level)), 'ghost');
        const have = LEVELS.indexOf(level);
        const need = LEVELS.indexOf(route.rule.need);
        const ok =
          have < 1
            ? res.status === 404
            : have < need
              ? res.status === 403
              : ![401, 403].includes(res.status);
        if (!ok) wrong.push(`${label(route)} as ${level} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps admin routes for admins and self routes for the user themself', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const kind = route.rule?.kind;
      if (kind === 'admin') {
        const member = await send(route, basic(userOf('MANAGE')), 'ghost');
        if (member.status !== 403) wrong.push(`${label(route)} as member → ${member.status}`);
      }
      if (kind === 'self') {
        const other = await send(route, basic(userOf('READ')), userOf('EDIT'));
        if (other.status !== 403) wrong.push(`${label(route)} for another user → ${other.status}`);
        const own = await send(route, basic(userOf('READ')), userOf('READ'));
        if ([401, 403].includes(own.status))
          wrong.push(`${label(route)} for oneself → ${own.status}`);
      }
      if (kind === 'authenticated') {
        const anyone = await send(route, basic(userOf('NO_PERMISSIONS')), 'ghost');
        if ([401, 403].includes(anyone.status)) wrong.push(`${label(route)} → ${anyone.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('limits a read-only token to reads', async () => {
    const manager = kiln.as(basic(userOf('MANAGE')));
    const created = await manager.post('/api/2.0/kiln/tokens/create', {
      name: 'ro',
      read_only: true,
    });
    const token = created.body.token as string;
    const wrong: string[] = [];
    for (const route of routes) {
      const rule = route.rule;
      const writes =
        (rule?.kind === 'resource' && rule.need !== 'READ') ||
        (rule?.kind === 'authenticated' && rule.write) ||
        rule?.kind === 'admin';
      if (!writes) continue;
      const res = await send(route, bearer(token), 'ghost');
      // Invisible resources answer 404 before the level is compared; everything else is 403.
      if (![403, 404].includes(res.status)) wrong.push(`${label(route)} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
