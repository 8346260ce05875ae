import type { TrafficFile } from './traffic';

/**
 * Exchanges where Kiln deliberately answers differently from MLflow 2.10, because its answer is
 * better for a client. Everything else that differs is a Kiln bug, not an entry here.
 *
 * An entry names a recorded exchange by file and step label (and seq when the step has several
 * exchanges), and documents Kiln's exact answer there: status, and error_code (null: no error).
 * `onlyDiffs`, when set, restricts which differences the entry explains (every difference of the
 * exchange must match it). `laterDiffs` covers the consequences in later answers of the same
 * file: a value Kiln stored differently shows up again when it is read back.
 */
export interface DeliberateDifference {
  file: TrafficFile;
  step: string;
  seq?: number;
  kiln: { status: number; errorCode: string | null };
  onlyDiffs?: RegExp;
  laterDiffs?: RegExp;
  reason: string;
}

const HAPPY: TrafficFile = 'client-happy-path.jsonl';
const ERRORS: TrafficFile = 'client-errors.jsonl';
const SEARCH: TrafficFile = 'client-search.jsonl';

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  // --- MLflow 3.x limits and behaviour over 2.10's
  {
    file: ERRORS,
    step: 'E36',
    kiln: { status: 200, errorCode: null },
    laterDiffs: /\[key=long5001\]/,
    reason:
      'run tag values may be 8000 chars as in MLflow 3.x (2.10: 5000); 8001 stays a 400 (E37)',
  },
  {
    file: ERRORS,
    step: 'E64',
    kiln: { status: 200, errorCode: null },
    laterDiffs: /rawnan/,
    reason:
      'a bare NaN token is read as NaN and stored with the timestamp sent; MLflow silently ' +
      'stores value 0.0 at timestamp 0 (seen in the E69 read-backs)',
  },
  {
    file: ERRORS,
    step: 'E116',
    kiln: { status: 200, errorCode: null },
    onlyDiffs: /next_page_token/,
    reason: 'max_results=0 returns no next_page_token; MLflow returns one that never advances',
  },
  {
    file: ERRORS,
    step: 'E203',
    kiln: { status: 200, errorCode: null },
    reason: 'get-history-bulk accepts up to 100 run ids, as MLflow 3.x does (2.10: 20)',
  },
  {
    file: SEARCH,
    step: 'S113',
    kiln: { status: 200, errorCode: null },
    reason:
      'metrics/get-history-bulk-interval exists (MLflow 2.11+, used by the UI); 2.10 has no ' +
      'such route and serves an HTML 404',
  },

  // --- JSON 4xx where MLflow answers 5xx or an HTML page for bad input
  {
    file: ERRORS,
    step: 'E101',
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason: "'>' on a string attribute is a client error; MLflow answers 500 INTERNAL_ERROR",
  },
  {
    file: ERRORS,
    step: 'E171',
    seq: 187,
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason:
      'an artifact path with an empty segment (//) is refused as an invalid path; MLflow ' +
      'answers an HTML 308 redirect that the client cannot follow for a PUT',
  },
  {
    file: ERRORS,
    step: 'E179',
    kiln: { status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    reason: 'a missing artifact file is a 404; MLflow answers 500 INTERNAL_ERROR (retried 5x)',
  },
  {
    file: ERRORS,
    step: 'E180',
    seq: 198,
    kiln: { status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    reason: 'a missing artifact file is a 404; MLflow answers 500 INTERNAL_ERROR (retried 5x)',
  },
  {
    file: ERRORS,
    step: 'E181',
    seq: 200,
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason: 'downloading a directory is a JSON 400; MLflow answers an HTML 500',
  },
  {
    file: ERRORS,
    step: 'E183',
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason: 'a JSON body that is not an object is a JSON 400; MLflow answers an HTML 500',
  },
  {
    file: ERRORS,
    step: 'E196',
    kiln: { status: 404, errorCode: 'ENDPOINT_NOT_FOUND' },
    reason: 'unknown endpoint: same 404, but a JSON error body instead of an HTML page',
  },
  {
    file: ERRORS,
    step: 'E197',
    kiln: { status: 404, errorCode: 'ENDPOINT_NOT_FOUND' },
    reason: 'removed experiments/list: same 404, but a JSON error body instead of an HTML page',
  },
  {
    file: ERRORS,
    step: 'E198',
    kiln: { status: 405, errorCode: 'BAD_REQUEST' },
    reason: 'wrong verb: same 405 (with Allow), but a JSON error body instead of an HTML page',
  },
  {
    file: ERRORS,
    step: 'E199',
    kiln: { status: 405, errorCode: 'BAD_REQUEST' },
    reason: 'wrong verb: same 405 (with Allow), but a JSON error body instead of an HTML page',
  },
  // --- Registry
  {
    file: HAPPY,
    step: 'get_latest_versions',
    kiln: { status: 200, errorCode: null },
    onlyDiffs: /aliases/,
    reason: 'model versions carry their aliases everywhere, as in MLflow 3.x',
  },
  {
    file: SEARCH,
    step: 'S168',
    kiln: { status: 200, errorCode: null },
    onlyDiffs: /aliases/,
    reason: 'model versions carry their aliases everywhere, as in MLflow 3.x',
  },
  {
    file: ERRORS,
    step: 'E141',
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason:
      "version_number = 'abc' is refused by the filter parser (MLflow: BAD_REQUEST carrying " +
      'its database error text)',
  },
  {
    file: ERRORS,
    step: 'E205',
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason: 'max_results=abc is a JSON 400; MLflow answers an HTML 500',
  },
  {
    file: ERRORS,
    step: 'E206',
    kiln: { status: 400, errorCode: 'INVALID_PARAMETER_VALUE' },
    reason: 'max_results=abc is a JSON 400; MLflow answers an HTML 500',
  },
];

/** The entry for an exchange, if any. */
export function deliberateDifferenceFor(
  file: TrafficFile,
  label: string,
  seq: number,
): DeliberateDifference | undefined {
  return DELIBERATE_DIFFERENCES.find(
    (d) => d.file === file && d.step === label && (d.seq === undefined || d.seq === seq),
  );
}
