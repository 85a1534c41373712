import type { ParseContext } from './types.js';

/**
 * Digit runs that may be phone numbers: 7+ digits (E.164 as Connect writes it), or 8+ digits in
 * space/dash groups (`138-0013-8000`, `010 1234 5678`). Dates (`2024-05-01`) do not match.
 */
const PHONE_LIKE = /\+?\d{7,}|\+?\(?\d{2,4}\)?(?:[ -]?\d{3,4}){2,3}/g;
/** A caller token (64 hex digits) is left alone, so redacting twice changes nothing. */
const TOKEN_OR_PHONE = new RegExp(`[0-9a-f]{64}|${PHONE_LIKE.source}`, 'g');

/** Free text kept for an operator (a quarantined row, a reason) with every phone-like run tokenised. */
export function redactPhoneNumbers(text: string, ctx: Pick<ParseContext, 'tokenizeCaller'>): string {
  return text.replace(TOKEN_OR_PHONE, (match) =>
    match.length === 64 && /^[0-9a-f]+$/.test(match) ? match : ctx.tokenizeCaller(match),
  );
}
