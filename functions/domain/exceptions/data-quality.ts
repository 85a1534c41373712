/**
 * Data quality first (exceptions.md §2.4): a manager must never chase agents for a gap in the
 * export. The findings hold for the whole centre-day, so every exception of the day carries them.
 */
import { formatHour } from '../report/format.js';
import { localDayBounds, localParts } from '../time.js';
import type { DayView, HistoryIndex } from './day-view.js';
import type { Cause } from './model.js';

/** What the evaluation needs of a ledger entry (whole objects touching the day, and rejections). */
export interface LedgerFacts {
  key: string;
  status: string;
  rows_read: number;
  rows_quarantined: number;
  reason: string;
}

export type DataQualityCause = Extract<Cause, { kind: 'data_quality' }>;

const QUARANTINE_SHARE = 0.01;
const MISSING_HOUR_OFFERED = 10;
const QUARTER_HOUR_MS = 900_000;

/** The local hours `00`–`23` that exist on the day (hour 02 does not when clocks go forward). */
export function hoursOfDay(date: string, timezone: string): string[] {
  const { start, end } = localDayBounds(date, timezone);
  const hours = new Set<string>();
  for (let t = start; t < end; t += QUARTER_HOUR_MS) hours.add(localParts(t, timezone).hour);
  return [...hours].sort();
}

export function dataQualityCause(
  date: string,
  timezone: string,
  ledger: readonly LedgerFacts[],
  view: DayView,
  history: HistoryIndex,
): DataQualityCause | null {
  const findings: string[] = [];
  const rejected = ledger.filter((e) => e.status === 'rejected');
  for (const e of rejected) findings.push(`${e.key}: rejected${e.reason ? ` (${e.reason})` : ''}`);

  const heavy = ledger.filter(
    (e) => e.status !== 'rejected' && e.rows_read > 0 && e.rows_quarantined > QUARANTINE_SHARE * e.rows_read,
  );
  for (const e of heavy)
    findings.push(`${e.key}: ${((100 * e.rows_quarantined) / e.rows_read).toFixed(1)} % of rows quarantined`);

  const missing: DataQualityCause['missing_hours'] = [];
  for (const hour of hoursOfDay(date, timezone)) {
    if (view.item('hour', hour)) continue;
    const b = history.baseline(date, 'hour', hour, 'offered');
    if (b && b.value >= MISSING_HOUR_OFFERED) {
      missing.push({ id: hour, baseline_offered: b.value });
      findings.push(
        `no contacts at all in ${formatHour(hour)}, where about ${Math.round(b.value)} calls are usual`,
      );
    }
  }

  if (findings.length === 0) return null;
  return {
    kind: 'data_quality',
    findings,
    rejected_objects: rejected.map((e) => ({ key: e.key, reason: e.reason })),
    quarantine_heavy_objects: heavy.map((e) => ({
      key: e.key,
      rows_read: e.rows_read,
      rows_quarantined: e.rows_quarantined,
    })),
    missing_hours: missing,
  };
}
