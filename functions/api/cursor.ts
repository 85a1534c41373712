/**
 * The read API's `next` tokens. A cursor wraps a position — a store's own page token, a day and
 * an offset, a last key — and is bound to the listing it came from (endpoint, centre and the
 * parameters that select the rows), so a token replayed with other parameters is a 400 instead
 * of a wrong page. Tokens are checksummed (adapters/page-token.ts): a mangled one is a 400 too.
 */
import { createHash } from 'node:crypto';
import { decodePageToken, encodePageToken, InvalidPageTokenError } from '../adapters/page-token.js';

/** A well-formed `next` sent with other parameters than the page that returned it. */
export class CursorMismatchError extends Error {
  constructor() {
    super(
      'next belongs to another listing: send it back with the same parameters (limit and format aside) as the page that returned it',
    );
    this.name = 'CursorMismatchError';
  }
}

/** A short id of a listing: the endpoint and the parameters that select its rows. */
export function listingId(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeCursor(listing: string, position: Record<string, unknown>): string {
  return encodePageToken({ l: listing, p: position });
}

/** The position in `token`, or undefined without one; throws unless it was issued for `listing`. */
export function decodeCursor(
  token: string | undefined,
  listing: string,
): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  const v = decodePageToken(token);
  if (v.l !== listing) throw new CursorMismatchError();
  const p = v.p;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new InvalidPageTokenError();
  return p as Record<string, unknown>;
}

export function positionString(p: Record<string, unknown>, key: string): string {
  const v = p[key];
  if (typeof v !== 'string') throw new InvalidPageTokenError();
  return v;
}

/** A whole number from 0 to `max` at `key` of a position. */
export function positionCount(p: Record<string, unknown>, key: string, max = 1_000_000): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new InvalidPageTokenError();
  return v;
}

/**
 * A store call resumed from a store token taken out of a cursor: a token the store refuses
 * (DynamoDB: ValidationException on ExclusiveStartKey) can only be forged, so it is the client's
 * mistake, not a 500.
 */
export async function resumed<T>(storeToken: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (storeToken !== undefined && (e as { name?: string }).name === 'ValidationException')
      throw new InvalidPageTokenError();
    throw e;
  }
}
