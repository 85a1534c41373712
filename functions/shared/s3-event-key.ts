/**
 * Keys arrive URL-encoded in S3 event notifications (interfaces.md §1): form encoding, a space
 * as `+`, a plus as `%2B`. The ingest handler decodes them; local mode encodes them the same
 * way so its events are identical to AWS's.
 */
/**
 * URL-encodes an object key the way S3 event notifications do: form encoding (space as `+`,
 * `+` as `%2B`, reserved characters and non-ASCII as UTF-8 percent escapes) with `/` kept.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** The object key from an S3 event notification (the inverse of `encodeS3EventKey`). */
export function decodeS3EventKey(encodedKey: string): string {
  return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
}
