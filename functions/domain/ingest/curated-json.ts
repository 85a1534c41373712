/**
 * The curated NDJSON line of a record: the record as `JSON.stringify` writes it, with
 * `source_line` appended as the last property. Contacts, nearly every curated row, are written
 * as UTF-8 bytes straight into the curated buffer by a serializer for their known shape: no
 * JSON.stringify walk, no line string, epoch milliseconds without a float-to-string conversion.
 * Its bytes are exactly those of genericLine for any ContactRecord whose fields are in the order
 * of the interface, which is how the canonical CSV and Connect parsers (the ones that accept
 * contacts at ingest) build them; test/ingest/curated-json.test.ts holds both to it.
 */
import type { ContactRecord } from '../records.js';

/**
 * Characters JSON.stringify does not write as they are: `"`, `\`, controls, and surrogates
 * (a lone one is escaped; a string holding any is left to JSON.stringify, which knows pairs).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal, exactly as JSON.stringify writes it. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A JSON number, exactly as JSON.stringify writes it (non-finite numbers are null). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/** Any record: JSON.stringify with `source_line` appended (no copy of the record object). */
export function genericLine(record: object, line: number): string {
  const json = JSON.stringify(record);
  return json.length > 2 ? `${json.slice(0, -1)},"source_line":${line}}` : `{"source_line":${line}}`;
}

const MAX_FAST_INTEGER = 2 ** 53 - 1;

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** The constant parts of a contact line, between its values. */
const K = {
  contact_id: ascii('{"contact_id":'),
  direction: ascii(',"direction":'),
  channel: ascii(',"channel":'),
  center: ascii(',"center":'),
  queue: ascii(',"queue":'),
  agent_id: ascii(',"agent_id":'),
  caller_token: ascii(',"caller_token":'),
  initiated_at: ascii(',"initiated_at":'),
  queue_seconds: ascii(',"queue_seconds":'),
  ring_seconds: ascii(',"ring_seconds":'),
  talk_seconds: ascii(',"talk_seconds":'),
  hold_seconds: ascii(',"hold_seconds":'),
  acw_seconds: ascii(',"acw_seconds":'),
  outcome: ascii(',"outcome":'),
  disposition: ascii(',"disposition":'),
  last_updated_at: ascii(',"last_updated_at":'),
  team_hint: ascii(',"team_hint":'),
  source_line: ascii(',"source_line":'),
};
const CONSTANT_BYTES = Object.values(K).reduce((n, k) => n + k.length, 0);

function put(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  buf.set(bytes, pos);
  return pos + bytes.length;
}

/** A JSON string literal in UTF-8: printable ASCII byte by byte, anything else via jsonString. */
function putString(buf: Buffer, pos: number, s: string): number {
  buf[pos] = 34;
  let p = pos + 1;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 34 || c === 92 || c >= 0x7f) return pos + buf.write(jsonString(s), pos);
    buf[p++] = c;
  }
  buf[p] = 34;
  return p + 1;
}

/**
 * String literals of the few values that repeat on every row (direction, channel, outcome,
 * centre), encoded once: a map hit and a copy instead of a scan.
 */
const LITERALS = new Map<string, Uint8Array>();
const MAX_LITERALS = 256;

function putRepeated(buf: Buffer, pos: number, s: string): number {
  let bytes = LITERALS.get(s);
  if (bytes === undefined) {
    if (LITERALS.size >= MAX_LITERALS) return putString(buf, pos, s);
    bytes = Buffer.from(jsonString(s));
    LITERALS.set(s, bytes);
  }
  return put(buf, pos, bytes);
}

/** Digits of an integer 0 ≤ v < 2^31 (small-integer arithmetic: no floating-point remainder). */
function putSmallInteger(buf: Buffer, pos: number, v: number): number {
  let digits = 1;
  for (let x = v; x >= 10; x = (x / 10) | 0) digits++;
  let x = v;
  for (let p = pos + digits - 1; p >= pos; p--) {
    const q = (x / 10) | 0;
    buf[p] = 48 + x - q * 10;
    x = q;
  }
  return pos + digits;
}

/**
 * A JSON number: safe non-negative integers digit by digit, anything else as JSON.stringify
 * writes it. Epoch milliseconds are beyond 2^31, where `%` and `/` are floating-point and ten
 * times slower than on small integers: they are written as two halves of at most 8 digits.
 */
function putNumber(buf: Buffer, pos: number, v: number): number {
  if (v >= 0 && v < 2147483648 && (v | 0) === v) return putSmallInteger(buf, pos, v);
  if (!(v >= 0 && v <= MAX_FAST_INTEGER && Number.isInteger(v))) return pos + buf.write(jsonNumber(v), pos);
  let high = Math.floor(v / 1e8);
  let low = v - high * 1e8;
  // The quotient is rounded; the remainder is exact and says when it was rounded across an integer.
  if (low < 0) {
    high--;
    low += 1e8;
  } else if (low >= 1e8) {
    high++;
    low -= 1e8;
  }
  const p = putSmallInteger(buf, pos, high);
  for (let i = p + 7; i >= p; i--) {
    const q = (low / 10) | 0;
    buf[i] = 48 + low - q * 10;
    low = q;
  }
  return p + 8;
}

/** Bytes that writeContactLine may need at most for `c` (a JSON escape is at most 6 bytes per UTF-16 unit). */
export function contactLineBound(c: ContactRecord): number {
  const chars =
    c.contact_id.length +
    c.direction.length +
    c.channel.length +
    c.center.length +
    c.queue.length +
    c.agent_id.length +
    c.caller_token.length +
    c.outcome.length +
    c.disposition.length +
    (c.team_hint?.length ?? 0);
  // Ten strings with their quotes, eight numbers of at most 24 characters, the line feed.
  return CONSTANT_BYTES + 6 * chars + 20 + 8 * 24 + 1;
}

/**
 * Writes contactLine(c, line) as UTF-8 into `buf` at `pos` (room: contactLineBound(c)) and
 * returns the end. The bytes are Buffer.from(contactLine(c, line)), without the string.
 */
export function writeContactLine(buf: Buffer, pos: number, c: ContactRecord, line: number): number {
  let p = put(buf, pos, K.contact_id);
  p = putString(buf, p, c.contact_id);
  p = put(buf, p, K.direction);
  p = putRepeated(buf, p, c.direction);
  p = put(buf, p, K.channel);
  p = putRepeated(buf, p, c.channel);
  p = put(buf, p, K.center);
  p = putRepeated(buf, p, c.center);
  p = put(buf, p, K.queue);
  p = putString(buf, p, c.queue);
  p = put(buf, p, K.agent_id);
  p = putString(buf, p, c.agent_id);
  p = put(buf, p, K.caller_token);
  p = putString(buf, p, c.caller_token);
  p = put(buf, p, K.initiated_at);
  p = putNumber(buf, p, c.initiated_at);
  p = put(buf, p, K.queue_seconds);
  p = putNumber(buf, p, c.queue_seconds);
  p = put(buf, p, K.ring_seconds);
  p = putNumber(buf, p, c.ring_seconds);
  p = put(buf, p, K.talk_seconds);
  p = putNumber(buf, p, c.talk_seconds);
  p = put(buf, p, K.hold_seconds);
  p = putNumber(buf, p, c.hold_seconds);
  p = put(buf, p, K.acw_seconds);
  p = putNumber(buf, p, c.acw_seconds);
  p = put(buf, p, K.outcome);
  p = putRepeated(buf, p, c.outcome);
  p = put(buf, p, K.disposition);
  p = putString(buf, p, c.disposition);
  p = put(buf, p, K.last_updated_at);
  p = putNumber(buf, p, c.last_updated_at);
  if (c.team_hint !== undefined) {
    p = put(buf, p, K.team_hint);
    p = putString(buf, p, c.team_hint);
  }
  p = put(buf, p, K.source_line);
  p = putNumber(buf, p, line);
  buf[p] = 125;
  return p + 1;
}
