import { SearchSyntaxError } from './search-error';

/**
 * Page tokens are opaque to clients. Like MLflow we send standard base64 of the JSON
 * `{"offset": N}` (written with MLflow's spacing, so tokens match the recordings byte for byte),
 * and a token must be reused with the same filter and order.
 */
export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`A page token offset must be a non-negative integer, got ${offset}`);
  }
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

// Node's base64 decoder silently skips characters outside the alphabet, so the token is checked
// against the alphabet first (URL-safe letters are accepted too) to report garbage as garbage.
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

/** The offset in a token; absent or empty means the first page. */
export function decodePageToken(token: string | null | undefined): number {
  if (token === undefined || token === null || token === '') return 0;
  if (!BASE64.test(token)) {
    throw new SearchSyntaxError('Invalid page token, could not base64-decode');
  }
  const text = Buffer.from(token, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SearchSyntaxError(`Invalid page token, decoded value=${JSON.stringify(text)}`);
  }
  const offset =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).offset
      : undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new SearchSyntaxError(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  }
  return offset;
}
