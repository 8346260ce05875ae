/**
 * The URI forms a model version source or a model reference can take (reference §5 and §6.1):
 * `runs:/<run_id>/<path>` and `models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>`,
 * `models:/<model_id>`. Pure parsing; resolution lives in the services.
 */

export interface RunsUri {
  runId: string;
  /** The path inside the run's artifact root, '' for the root itself. */
  artifactPath: string;
}

export type ModelUri =
  | { kind: 'version'; name: string; version: string }
  | { kind: 'stage'; name: string; stage: string }
  | { kind: 'latest'; name: string }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'model-id'; modelId: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** The URI scheme in lower case, '' when there is none (a plain path). */
export function uriScheme(uri: string): string {
  return SCHEME.exec(uri)?.[1].toLowerCase() ?? '';
}

/** The part after `scheme:`; `undefined` when it names a host (`scheme://host/…`). */
function schemePath(uri: string, scheme: string): string | undefined {
  if (uriScheme(uri) !== scheme) return undefined;
  const rest = uri.slice(scheme.length + 1);
  if (rest.startsWith('//')) return undefined;
  return rest.replace(/[?#].*$/, '');
}

/** `runs:/<run_id>[/<path>]`, or undefined when `uri` is not of that form. */
export function parseRunsUri(uri: string): RunsUri | undefined {
  const path = schemePath(uri, 'runs');
  if (path === undefined || !path.startsWith('/') || path.length <= 1) return undefined;
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  const runId = slash < 0 ? rest : rest.slice(0, slash);
  if (runId === '') return undefined;
  const artifactPath = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { runId, artifactPath };
}

/** `<artifact root>/<path>`, as the client resolves a `runs:/` URI. */
export function joinArtifactUri(root: string, artifactPath: string): string {
  const base = root.replace(/\/+$/, '');
  return artifactPath === '' ? base : `${base}/${artifactPath}`;
}

/** A `models:/` URI as MLflow's client reads it, or undefined when it is not one. */
export function parseModelUri(uri: string): ModelUri | undefined {
  const raw = schemePath(uri, 'models');
  if (raw === undefined || !raw.startsWith('/') || raw.length <= 1) return undefined;
  const path = raw.replace(/^\/+/, '');
  if (path.includes('/')) {
    const parts = path.split('/');
    if (parts.length !== 2 || parts[0].trim() === '' || parts[1] === '') return undefined;
    const [name, suffix] = parts;
    if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: suffix };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
    return { kind: 'stage', name, stage: suffix };
  }
  const at = path.lastIndexOf('@');
  if (at >= 0) {
    const name = path.slice(0, at);
    const alias = path.slice(at + 1);
    if (name.trim() === '' || alias === '') return undefined;
    return { kind: 'alias', name, alias };
  }
  return { kind: 'model-id', modelId: path };
}

/** A local source (a plain path or `file:`), which MLflow only accepts inside the run's files. */
export function isLocalUri(uri: string): boolean {
  const scheme = uriScheme(uri);
  if (scheme === '' || scheme === 'file') return true;
  // A Windows drive letter reads as a one-letter scheme.
  return /^[A-Za-z]:[\\/]/.test(uri);
}

/** The filesystem path of a local URI, normalised (no `.`/`..` segments, no trailing slash). */
export function localPath(uri: string): string {
  let path = uri;
  if (uriScheme(uri) === 'file') {
    path = uri.slice('file:'.length).replace(/^\/\/[^/]*/, '');
    path = safeDecode(path);
  }
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Whether a non-local source tries to climb out of its location: a `..` segment (also when
 * percent-encoded, once or several times) or a NUL character.
 */
export function hasTraversal(uri: string): boolean {
  let text = uri;
  for (let i = 0; i < 5; i++) {
    if (text.includes('\u0000')) return true;
    const body = text.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, '').replace(/[?#].*$/, '');
    if (body.split(/[/\\]/).some((segment) => segment === '..')) return true;
    const decoded = safeDecode(text);
    if (decoded === text) return false;
    text = decoded;
  }
  return true;
}
