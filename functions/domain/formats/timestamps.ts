/**
 * Cell parsers shared by the CSV formats: timestamps, booleans, non-negative numbers. They run
 * once per cell of a million-row file, so they scan character codes by hand instead of using
 * regular expressions or Date.parse (whose handling of local forms also varies by engine).
 */
import { HOUR_MS, zonedToUtc } from '../time.js';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; cheaper than Date.UTC). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Per zone: local wall-clock hour (hours since the local epoch) → offset in ms, or NaN when the
 * hour holds a transition. Files are mostly a few days of timestamps, so a handful of entries
 * answers a million rows without calling zonedToUtc.
 */
const hourOffsets = new Map<string, Map<number, number>>();
const MAX_CACHED_HOURS = 100_000;

function localToUtc(
  wallMs: number,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  timeZone: string,
): number {
  let cache = hourOffsets.get(timeZone);
  if (!cache) {
    cache = new Map();
    hourOffsets.set(timeZone, cache);
  }
  const wallHour = Math.floor(wallMs / HOUR_MS);
  let offset = cache.get(wallHour);
  if (offset === undefined) {
    const first = zonedToUtc(year, month, day, hour, 0, 0, 0, timeZone);
    const last = zonedToUtc(year, month, day, hour, 59, 59, 999, timeZone);
    // One offset for the whole hour unless a gap or an overlap falls inside it.
    offset = last - first === HOUR_MS - 1 ? wallHour * HOUR_MS - first : Number.NaN;
    if (cache.size >= MAX_CACHED_HOURS) cache.clear();
    cache.set(wallHour, offset);
  }
  if (Number.isNaN(offset)) return zonedToUtc(year, month, day, hour, minute, second, millis, timeZone);
  return wallMs - offset;
}

function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/**
 * Epoch ms of a timestamp cell, or null when it is not one of the accepted forms:
 * - with an offset: `2026-11-22T08:15:03+08:00`, `…+0800`, `…+08`, `…Z` (also after a space);
 * - local, read in `timeZone` (DST gap/overlap as zonedToUtc resolves them):
 *   `2026-11-22 08:15:03`, `2026-11-22T08:15:03`, `2026/11/22 08:15:03`, `2026/1/5 8:15`.
 * Seconds and a fraction (`.123` or `,123`, any number of digits) are optional. A date alone
 * (local midnight) is accepted only with `allowDateOnly`: for a contact it would invent an hour.
 */
export function parseTimestamp(text: string, timeZone: string, allowDateOnly = false): number | null {
  let i = 0;
  let n = text.length;
  while (i < n && text.charCodeAt(i) <= 32) i++;
  while (n > i && text.charCodeAt(n - 1) <= 32) n--;
  if (n - i < 8) return null;

  const y0 = digitAt(text, i);
  const y1 = digitAt(text, i + 1);
  const y2 = digitAt(text, i + 2);
  const y3 = digitAt(text, i + 3);
  if (y0 < 0 || y1 < 0 || y2 < 0 || y3 < 0) return null;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  // No telephony export predates 1900 (and zonedToUtc's Date.UTC maps years 0–99 to 1900–1999).
  if (year < 1900) return null;
  const dateSep = text.charCodeAt(i + 4);
  if (dateSep !== 45 /* - */ && dateSep !== 47 /* / */) return null;
  let p = i + 5;

  // Month, day and hour may have one or two digits (`2026/1/5 8:05` is common in spreadsheet exports).
  let month = digitAt(text, p);
  if (month < 0) return null;
  p++;
  let d = digitAt(text, p);
  if (d >= 0) {
    month = month * 10 + d;
    p++;
  }
  if (text.charCodeAt(p) !== dateSep) return null;
  p++;
  let day = digitAt(text, p);
  if (day < 0) return null;
  p++;
  d = digitAt(text, p);
  if (d >= 0) {
    day = day * 10 + d;
    p++;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const dayMs = daysFromCivil(year, month, day) * 86_400_000;
  if (p === n) return allowDateOnly ? localToUtc(dayMs, year, month, day, 0, 0, 0, 0, timeZone) : null;

  const timeSep = text.charCodeAt(p);
  if (timeSep !== 84 /* T */ && timeSep !== 116 /* t */ && timeSep !== 32) return null;
  p++;
  let hour = digitAt(text, p);
  if (hour < 0) return null;
  p++;
  d = digitAt(text, p);
  if (d >= 0) {
    hour = hour * 10 + d;
    p++;
  }
  if (text.charCodeAt(p) !== 58 /* : */) return null;
  const m0 = digitAt(text, p + 1);
  const m1 = digitAt(text, p + 2);
  if (m0 < 0 || m1 < 0) return null;
  const minute = m0 * 10 + m1;
  p += 3;
  let second = 0;
  let millis = 0;
  if (text.charCodeAt(p) === 58) {
    const s0 = digitAt(text, p + 1);
    const s1 = digitAt(text, p + 2);
    if (s0 < 0 || s1 < 0) return null;
    second = s0 * 10 + s1;
    p += 3;
    const fracSep = text.charCodeAt(p);
    if (fracSep === 46 /* . */ || fracSep === 44 /* , */) {
      p++;
      const start = p;
      // Digits below a millisecond are truncated.
      for (d = digitAt(text, p); d >= 0; d = digitAt(text, ++p)) if (p - start < 3) millis = millis * 10 + d;
      const kept = p - start;
      if (kept === 0) return null;
      if (kept === 1) millis *= 100;
      else if (kept === 2) millis *= 10;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return null;
  const wallMs = dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  if (p === n) return localToUtc(wallMs, year, month, day, hour, minute, second, millis, timeZone);

  if (text.charCodeAt(p) === 32) p++;
  const zone = text.charCodeAt(p);
  let offsetMinutes: number;
  if ((zone === 90 /* Z */ || zone === 122) /* z */ && p + 1 === n) offsetMinutes = 0;
  else if (zone === 43 /* + */ || zone === 45 /* - */) {
    const h0 = digitAt(text, p + 1);
    const h1 = digitAt(text, p + 2);
    if (h0 < 0 || h1 < 0) return null;
    let q = p + 3;
    if (text.charCodeAt(q) === 58) q++;
    let offMinute = 0;
    if (q < n) {
      const o0 = digitAt(text, q);
      const o1 = digitAt(text, q + 1);
      if (o0 < 0 || o1 < 0 || q + 2 !== n) return null;
      offMinute = o0 * 10 + o1;
    } else if (q !== n || text.charCodeAt(n - 1) === 58) return null;
    const offHour = h0 * 10 + h1;
    if (offHour > 14 || offMinute > 59) return null;
    offsetMinutes = (zone === 45 ? -1 : 1) * (offHour * 60 + offMinute);
  } else return null;
  return wallMs - offsetMinutes * 60_000;
}

/**
 * A timestamp cell under the ingest rules (interfaces.md §2 "Bad input"): epoch ms, undefined
 * when empty, or the reason to quarantine the row — unparseable, or later than `latest` (the
 * caller's "now" plus one day). The reason names the column.
 */
export function readTimestampCell(
  text: string,
  column: string,
  timeZone: string,
  latest: number,
  allowDateOnly = false,
): number | undefined | string {
  const at = parseTimestamp(text, timeZone, allowDateOnly);
  if (at === null) return text.trim() === '' ? undefined : `unparseable ${column}: ${text}`;
  return at > latest ? `${column} more than one day in the future: ${text}` : at;
}

/** A boolean cell: true/false/1/0/yes/no in any case; '' is `fallback`; anything else null. */
export function parseBoolean(text: string, fallback: boolean): boolean | null {
  switch (text.trim().toLowerCase()) {
    case '':
      return fallback;
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return null;
  }
}

/** Why a cell is not a non-negative number; the caller decides what an empty cell means. */
export type NumberProblem = 'empty' | 'not a number' | 'negative';

/**
 * A non-negative decimal number (`12`, `12.5`, `.5`, `+3`; surrounding spaces allowed), or the
 * problem. Exponents, hex, `Infinity` and thousands separators are not numbers here: `1,234`
 * means 1234 in one locale and 1.234 in another.
 */
export function parseNonNegativeNumber(text: string): number | NumberProblem {
  let i = 0;
  let n = text.length;
  while (i < n && text.charCodeAt(i) <= 32) i++;
  while (n > i && text.charCodeAt(n - 1) <= 32) n--;
  if (i === n) return 'empty';
  const sign = text.charCodeAt(i);
  const negative = sign === 45; /* - */
  if (negative || sign === 43 /* + */) i++;
  let digits = 0;
  let dots = 0;
  // Integers (the usual duration cell) are accumulated here; a fraction goes through Number().
  let value = 0;
  for (let p = i; p < n; p++) {
    const c = text.charCodeAt(p);
    if (c >= 48 && c <= 57) {
      digits++;
      value = value * 10 + (c - 48);
    } else if (c === 46 && dots === 0) dots++;
    else return 'not a number';
  }
  if (digits === 0) return 'not a number';
  if (dots > 0) value = Number(text.slice(i, n));
  // 309 digits overflow to Infinity, which no duration or score can be.
  if (!Number.isFinite(value)) return 'not a number';
  if (negative && value !== 0) return 'negative';
  return value;
}
