/**
 * Time-zone arithmetic per centre (architecture.md rule 10) with Intl only. Offsets are
 * cached per zone and UTC hour, so a million rows cost a million map look-ups, not a
 * million Intl calls.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const offsetCache = new Map<string, Map<number, number>>();

/** Offset (local − UTC) in ms of `timeZone` at instant `ms`. Zones with sub-hour transitions are still exact per UTC hour boundary used by every IANA zone today. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  let cache = offsetCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  // Transitions happen on whole minutes; every real transition falls on a quarter hour, so key by 15 min.
  const bucket = Math.floor(ms / 900_000);
  let off = cache.get(bucket);
  if (off === undefined) {
    const parts = formatter(timeZone).formatToParts(new Date(bucket * 900_000));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const asUtc = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    off = asUtc - bucket * 900_000;
    cache.set(bucket, off);
  }
  return off;
}

export interface LocalParts {
  /** YYYY-MM-DD */
  date: string;
  /** '00'–'23' */
  hour: string;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const partsCache = new Map<string, Map<number, LocalParts>>();

/** Local calendar date and wall-clock hour of an instant in a zone (cached per zone and quarter hour: every zone offset is a whole number of quarter hours). */
export function localParts(ms: number, timeZone: string): LocalParts {
  let cache = partsCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    partsCache.set(timeZone, cache);
  }
  const bucket = Math.floor(ms / 900_000);
  let parts = cache.get(bucket);
  if (!parts) {
    const local = new Date(ms + zoneOffsetMs(ms, timeZone));
    parts = {
      date: `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}`,
      hour: pad2(local.getUTCHours()),
    };
    cache.set(bucket, parts);
  }
  return parts;
}

/** Local wall-clock time `YYYY-MM-DD HH:MM:SS` of an instant in a zone (as telephony CSVs write it). */
export function localTimestamp(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffsetMs(ms, timeZone)).toISOString().slice(0, 19).replace('T', ' ');
}

export function localDate(ms: number, timeZone: string): string {
  return localParts(ms, timeZone).date;
}

/**
 * The UTC instant of a local wall-clock time in a zone. In a gap (clocks forward) the time is
 * read with the offset before the gap, as most telephony switches write it; in an overlap
 * (clocks back) the earlier instant is chosen.
 */
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  timeZone: string,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const offBefore = zoneOffsetMs(naive - DAY_MS / 2, timeZone);
  const offAfter = zoneOffsetMs(naive + DAY_MS / 2, timeZone);
  // Try the earlier offset first so that in an overlap the earlier instant wins.
  const candidates = offBefore >= offAfter ? [offBefore, offAfter] : [offAfter, offBefore];
  for (const off of candidates) {
    const utc = naive - off;
    if (zoneOffsetMs(utc, timeZone) === off) return utc;
  }
  return naive - offBefore;
}

/** UTC instant where local day `date` (YYYY-MM-DD) starts in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedToUtc(y, m, d, 0, 0, 0, 0, timeZone);
}

/** YYYY-MM-DD ± n calendar days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** Local day [start, end) as UTC instants; 23 or 25 hours long on DST days. */
export function localDayBounds(date: string, timeZone: string): { start: number; end: number } {
  return { start: startOfLocalDay(date, timeZone), end: startOfLocalDay(addDays(date, 1), timeZone) };
}

/** ISO weekday 1 (Monday) – 7 (Sunday) of a calendar date. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function isValidDate(date: string): boolean {
  if (!DATE_PATTERN.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export { DAY_MS, HOUR_MS };
