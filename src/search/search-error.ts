/**
 * The one error the search module throws for bad user input: a filter, an order_by clause, a page
 * token or a paging value that MLflow would refuse. The caller maps it to HTTP 400
 * INVALID_PARAMETER_VALUE, so the message is written for the API user: it names the offending
 * clause or value and, where useful, what would have been accepted.
 *
 * It deliberately does not depend on the app's MlflowError so that this folder stays a pure,
 * framework-free library (and its unit tests need nothing but Jest).
 */
export class SearchSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchSyntaxError';
  }
}
