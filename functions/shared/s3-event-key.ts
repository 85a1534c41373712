/**
 * Keys arrive URL-encoded in S3 event notifications (a space as `+`, a plus as `%2B`);
 * interfaces.md §1 requires decoding them before use.
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** The inverse, as AWS writes keys into events (used by local mode to build identical events). */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
}
