/**
 * The read API's numbers that more than the app relies on (the CDK stack's gateway responses,
 * the schemas, the tests). No imports, so the CDK app can read them without loading the API.
 */

/** Most items a page may hold (`limit`), and the page size without one (interfaces.md §4). */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/** Longest `from`/`to` range, in days, both ends included. */
export const MAX_RANGE_DAYS = 366;

/** Seconds a throttled client is asked to wait (`Retry-After`), by the app and by API Gateway. */
export const RETRY_AFTER_SECONDS = 1;
