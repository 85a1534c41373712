/**
 * Caller numbers (kpis.md §1 "Callers"): normalise to E.164, then tokenise with HMAC-SHA256
 * under a secret key. The raw number never leaves the ingest step.
 */
import { createHmac } from 'node:crypto';

const NO_CALLER = new Set(['', 'anonymous', 'unknown', 'restricted', 'withheld', 'private', 'unavailable']);

/** E.164-normalised number, or '' when there is no usable caller. */
export function normaliseCaller(raw: string | null | undefined, defaultCountryCode?: string): string {
  if (raw == null) return '';
  const trimmed = raw.trim();
  if (NO_CALLER.has(trimmed.toLowerCase())) return '';
  // Asterisk caller ids may look like `"Name" <+861012345678>`: keep the part in angle brackets.
  const angle = /<([^>]*)>/.exec(trimmed);
  const text = angle ? (angle[1] ?? '') : trimmed;
  let n = text.replace(/[\s\-.()]/g, '');
  if (n.startsWith('00')) n = `+${n.slice(2)}`;
  const plus = n.startsWith('+');
  const digits = (plus ? n.slice(1) : n).replace(/\D/g, '');
  if (digits.length === 0) return '';
  if (plus) return `+${digits}`;
  if (defaultCountryCode) return `+${defaultCountryCode}${digits.startsWith('0') ? digits.slice(1) : digits}`;
  return digits;
}

/**
 * A copy of a string that does not point into a larger one. V8 cuts strings of 13 or more
 * characters out of a larger one as views that keep the whole larger string alive, and a phone
 * number (`+8613812345678`) is that long: a cache key cut out of a parser's 64 KiB chunk kept the
 * chunk alive to the end of the file (≈ 120 MB for a 1M-row file). A concatenation of that
 * length is a rope, which slice() flattens into a string of its own.
 */
function detached(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

/**
 * Tokeniser with a per-instance cache: each distinct number is hashed once (≈1.5 µs an HMAC).
 * Keys are copied, so no parser's input text is retained by the cache.
 */
export class CallerTokenizer {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly key: string | Buffer,
    private readonly defaultCountryCode?: string,
  ) {
    if (!key || key.length < 16) throw new Error('caller token key must be at least 16 bytes');
  }

  token(raw: string | null | undefined): string {
    if (raw == null) return '';
    let t = this.cache.get(raw);
    if (t === undefined) {
      const e164 = normaliseCaller(raw, this.defaultCountryCode);
      t = e164 === '' ? '' : createHmac('sha256', this.key).update(e164).digest('hex');
      if (this.cache.size < 2_000_000) this.cache.set(detached(raw), t);
    }
    return t;
  }
}
