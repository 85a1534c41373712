/**
 * Opaque pagination tokens: the DynamoDB LastEvaluatedKey, base64url-encoded JSON with a
 * short HMAC-free checksum so a forged or mangled token is refused as a bad parameter.
 */
import { createHash } from 'node:crypto';

export class InvalidPageTokenError extends Error {
  constructor() {
    super('next must be a token returned by a previous page of this listing');
    this.name = 'InvalidPageTokenError';
  }
}

function checksum(json: string): string {
  return createHash('sha256').update(`kpi-page:${json}`).digest('base64url').slice(0, 10);
}

export function encodePageToken(key: Record<string, unknown>): string {
  const json = JSON.stringify(key);
  return `${Buffer.from(json).toString('base64url')}.${checksum(json)}`;
}

export function decodePageToken(token: string): Record<string, unknown> {
  const [body, sum] = token.split('.');
  if (!body || !sum) throw new InvalidPageTokenError();
  const json = Buffer.from(body, 'base64url').toString('utf8');
  if (checksum(json) !== sum) throw new InvalidPageTokenError();
  try {
    const v = JSON.parse(json);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidPageTokenError();
    return v as Record<string, unknown>;
  } catch {
    throw new InvalidPageTokenError();
  }
}
