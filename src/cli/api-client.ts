import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where `kiln login` keeps the session: ~/.kiln/credentials.json, readable by the user only. */
const CREDENTIALS = path.join(homedir(), '.kiln', 'credentials.json');

interface Session {
  url: string;
  access_token: string;
  refresh_token: string;
}

export class CliError extends Error {}

export async function saveSession(session: Session): Promise<void> {
  await mkdir(path.dirname(CREDENTIALS), { recursive: true, mode: 0o700 });
  await writeFile(CREDENTIALS, JSON.stringify(session, null, 2), { mode: 0o600 });
}

async function loadSession(): Promise<Session | undefined> {
  try {
    return JSON.parse(await readFile(CREDENTIALS, 'utf8')) as Session;
  } catch {
    return undefined;
  }
}

/**
 * A small HTTP client for the CLI. Credentials, first found wins: KILN_TOKEN or
 * MLFLOW_TRACKING_TOKEN (an API token or JWT), MLFLOW_TRACKING_USERNAME/PASSWORD, the session
 * saved by `kiln login` (refreshed when its access token expired).
 */
export class ApiClient {
  constructor(readonly url: string) {}

  static async create(url: string | undefined): Promise<ApiClient> {
    const session = await loadSession();
    return new ApiClient(
      (url ?? process.env.KILN_URL ?? session?.url ?? 'http://127.0.0.1:5000').replace(/\/+$/, ''),
    );
  }

  private async authorization(): Promise<string | undefined> {
    const token = process.env.KILN_TOKEN ?? process.env.MLFLOW_TRACKING_TOKEN;
    if (token) return `Bearer ${token}`;
    const user = process.env.MLFLOW_TRACKING_USERNAME;
    const password = process.env.MLFLOW_TRACKING_PASSWORD;
    if (user && password) return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const session = await loadSession();
    return session?.url === this.url ? `Bearer ${session.access_token}` : undefined;
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    let res = await this.send(method, route, body, await this.authorization());
    if (res.status === 401 && (await this.refresh())) {
      res = await this.send(method, route, body, await this.authorization());
    }
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const error = parsed as { error_code?: string; message?: string };
      throw new CliError(`${res.status} ${error.error_code ?? ''}: ${error.message ?? text}`);
    }
    return parsed as T;
  }

  private send(method: string, route: string, body: unknown, authorization?: string) {
    const headers: Record<string, string> = {};
    if (authorization) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async refresh(): Promise<boolean> {
    const session = await loadSession();
    if (!session || session.url !== this.url) return false;
    const res = await this.send('POST', '/api/2.0/kiln/auth/refresh', {
      refresh_token: session.refresh_token,
    });
    if (!res.ok) return false;
    const tokens = (await res.json()) as { access_token: string; refresh_token: string };
    await saveSession({ url: this.url, ...tokens });
    return true;
  }
}
