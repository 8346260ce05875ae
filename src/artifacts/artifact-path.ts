import { MlflowError } from 'src/common/mlflow-error';

/**
 * Artifact path safety, shared by every artifact route (reference §6.2): the path is
 * percent-decoded, then refused with 400 INVALID_PARAMETER_VALUE "Invalid path" when it could
 * name anything outside the artifact root, or when it is not in the one canonical spelling
 * (relative, '/'-separated, no empty or '.' segments; one trailing '/' is dropped). The stores
 * add the checks that need the storage itself (symlinks).
 */

export const INVALID_PATH = 'Invalid path';

/** S3 limits keys to 1024 bytes; the local store keeps the same limit so both behave alike. */
const MAX_PATH_BYTES = 1024;
/** The longest file name Linux file systems take. */
const MAX_SEGMENT_BYTES = 255;

export function invalidPath(): MlflowError {
  return MlflowError.invalid(INVALID_PATH);
}

/** Control characters (NUL included): never part of a file name Kiln stores. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Windows drive letters (`C:`, `c:x`) at the start of a segment. */
const DRIVE = /^[a-zA-Z]:/;
/**
 * A percent-escape (`%2e`, or IIS's `%u002e`); a lone `%` as in `100%.txt` is just a character.
 */
const ESCAPE = /%(?:[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/;
/** How many more decodings a still-escaped path is checked for (`%25252e` and so on). */
const MAX_DECODINGS = 4;
/** `..` and its Windows look-alikes (`...`, `.. `): segments of dots and spaces only. */
const DOTS = /^[.\s]+$/;

function checkedSegments(path: string): string[] {
  if (path === '') return [];
  if (CONTROL.test(path) || path.includes('\\') || path.includes('#')) throw invalidPath();
  if (path.includes('\uFFFD')) throw invalidPath(); // the mark of bytes that were not UTF-8
  if (path.startsWith('/')) throw invalidPath();
  const segments = path.split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // `dir/`
  for (const segment of segments) {
    // Only one spelling per path: no `a//b`, no `./a`.
    if (segment === '' || segment === '.') throw invalidPath();
    if (DOTS.test(segment)) throw invalidPath();
    // A drive anywhere: a Windows client joining `C:` into a download path would leave its folder.
    if (DRIVE.test(segment)) throw invalidPath();
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw invalidPath();
  }
  return segments;
}

/** Decodes percent-escapes once; a malformed escape yields undefined. */
function decodeOnce(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Validates an already percent-decoded path (a query value, a JSON field) and returns its normal
 * form. A path that still holds escapes is also checked decoded once more, so a double-encoded
 * `..` (`%252e%252e`) is refused too, whichever layer decodes it; escapes that do not decode
 * (overlong UTF-8 such as `%c0%ae`) are refused. `''` (the root) only when `allowRoot`.
 */
export function normalizeArtifactPath(path: string, allowRoot = false): string {
  const segments = checkedSegments(path);
  // Still escaped: refuse what further decoding would make hostile, or could not decode.
  let current = path;
  for (let round = 0; round < MAX_DECODINGS && ESCAPE.test(current); round++) {
    const next = decodeOnce(current);
    if (next === undefined) throw invalidPath();
    checkedSegments(next);
    current = next;
  }
  const normal = segments.join('/');
  if (normal === '' && !allowRoot) throw invalidPath();
  if (Buffer.byteLength(normal) > MAX_PATH_BYTES) throw invalidPath();
  return normal;
}

/** The same for a path exactly as it appeared in a URL: percent-decoded first. */
export function decodeArtifactPath(raw: string, allowRoot = false): string {
  const decoded = decodeOnce(raw);
  if (decoded === undefined) throw invalidPath();
  return normalizeArtifactPath(decoded, allowRoot);
}

/** A single file name (the `path` of a multipart request is a client file name: its basename). */
export function fileName(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  return normalizeArtifactPath(base);
}

/** Joins normalised paths. */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}
