import { decodeArtifactPath, normalizeArtifactPath } from './artifact-path';

const PROXY_URL_PATH = /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts(?:\/(.*))?$/i;

/**
 * The store key behind an artifact URI that this server's proxy serves (reference §6.1), or
 * undefined for a location the client reaches itself (`s3://`, `file:`, a plain path, ...):
 *
 * - `mlflow-artifacts:/1/<run>/artifacts` and `mlflow-artifacts://host:port/1/<run>/artifacts`
 * - `http(s)://host[/prefix]/api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts`
 *
 * The path part is checked like any artifact path: an experiment created with
 * `artifact_location = "mlflow-artifacts:/../.."` gets a 400 "Invalid path", not the parent folder.
 */
export function proxiedArtifactKey(uri: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1].toLowerCase();
  if (scheme === 'mlflow-artifacts') {
    let rest = uri.slice('mlflow-artifacts:'.length);
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      rest = slash < 0 ? '' : rest.slice(slash);
    }
    return decodeArtifactPath(rest.replace(/^\/+/, '').split(/[?#]/)[0], true);
  }
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return undefined;
    }
    // Any prefix before /api/... (a server behind a path prefix) is allowed.
    const at = url.pathname.search(/\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts(?:\/|$)/i);
    if (at < 0) return undefined;
    const match = PROXY_URL_PATH.exec(url.pathname.slice(at));
    return decodeArtifactPath(match?.[1] ?? '', true);
  }
  return undefined;
}

/** `runs:/<run_id>/<path>` split into run id and normalised relative path. */
export function parseRunsUri(uri: string): { runId: string; path: string } | undefined {
  const match = /^runs:\/+([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match) return undefined;
  return { runId: match[1], path: normalizeArtifactPath(match[2] ?? '', true) };
}
