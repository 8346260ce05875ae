import type { RunSearchPosition } from './run-search-sql';
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
  const position = decodeRunSearchToken(token);
  if (position.section !== 0 || position.after !== undefined) {
    throw new SearchSyntaxError('Invalid page token: it does not belong to this search.');
  }
  return position.skip;
}

/**
 * A runs/search position. The first section's plain offset is written exactly as MLflow writes
 * it; a keyset position adds its section and the order value it starts from.
 */
export function encodeRunSearchToken(position: RunSearchPosition): string {
  if (position.section === 0 && position.after === undefined) {
    return encodePageToken(position.skip);
  }
  const { skip, section, after } = position;
  return Buffer.from(JSON.stringify({ offset: skip, section, after }), 'utf8').toString('base64');
}

export function decodeRunSearchToken(token: string | null | undefined): RunSearchPosition {
  if (token === undefined || token === null || token === '') return { section: 0, skip: 0 };
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
  const fields =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  const { offset, section = 0, after } = fields;
  if (!isCount(offset) || !isCount(section) || (after !== undefined && typeof after !== 'string')) {
    throw new SearchSyntaxError(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  }
  return after === undefined ? { section, skip: offset } : { section, after, skip: offset };
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
