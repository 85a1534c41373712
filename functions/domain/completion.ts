/**
 * When a centre-day is complete, when its data has settled, and which day is the centre's
 * report day (interfaces.md §5, exceptions.md §4) — all in the centre's own time zone
 * (architecture.md rule 10).
 */
import { addDays, localDate, localDayBounds } from './time.js';

/** A day is complete once the centre's local time is past its end plus the grace period. */
export function isDayComplete(date: string, now: number, timezone: string, graceMinutes: number): boolean {
  return now >= localDayBounds(date, timezone).end + graceMinutes * 60_000;
}

/**
 * The centre's "yesterday" for the morning email: the latest complete day. Between midnight and
 * the end of the grace period yesterday is not complete yet, so the report day is still the day
 * before (already emailed) — the email for yesterday goes out once the grace period ends.
 */
export function reportDay(now: number, timezone: string, graceMinutes: number): string {
  const today = localDate(now, timezone);
  const yesterday = addDays(today, -1);
  return isDayComplete(yesterday, now, timezone, graceMinutes) ? yesterday : addDays(yesterday, -1);
}

/** No object of the centre was ingested for `settleSeconds` (or none ever). */
export function isSettled(lastIngestAt: string | null, now: number, settleSeconds: number): boolean {
  if (lastIngestAt === null) return true;
  return now - Date.parse(lastIngestAt) >= settleSeconds * 1000;
}
