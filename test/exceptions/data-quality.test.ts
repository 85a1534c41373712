import { describe, expect, it } from 'vitest';
import { hoursOfDay } from '../../functions/domain/exceptions/data-quality.js';
import { evaluateDay, type LedgerFacts } from '../../functions/domain/exceptions/evaluate.js';
import { CENTER, cell, dayInput, historyDay, item } from './factories.js';

const ledgerEntry = (e: Partial<LedgerFacts>): LedgerFacts => ({
  key: 'cdr/c1/2026-03-10.csv',
  status: 'processed',
  rows_read: 1000,
  rows_quarantined: 0,
  reason: '',
  ...e,
});

// A centre service-level breach with its hours: 09 and 11 carry calls, 10 and 12 none.
const items = [
  item('center', CENTER, { service_level: 0.5, offered: 100 }),
  item('hour', '09', { service_level: 0.5, offered: 50 }),
  item('hour', '11', { service_level: 0.5, offered: 50 }),
];
const breakdown = {
  cells: [
    cell('center', CENTER, 'hour', '09', { service_level: 0.5, offered: 50 }),
    cell('center', CENTER, 'hour', '11', { service_level: 0.5, offered: 50 }),
  ],
  staffed_agents_by_hour: {},
};

const first = (partial: Parameters<typeof dayInput>[0]) =>
  evaluateDay(dayInput({ items, breakdown, ...partial })).exceptions[0];

describe('data quality first', () => {
  it('flags an object with more than 1 % of its rows quarantined, ahead of every other cause', () => {
    const x = first({ ledger: [ledgerEntry({ rows_quarantined: 11 })] });
    expect(x?.suspect_data).toBe(true);
    expect(x?.causes[0]).toEqual({
      kind: 'data_quality',
      findings: ['cdr/c1/2026-03-10.csv: 1.1 % of rows quarantined'],
      rejected_objects: [],
      quarantine_heavy_objects: [{ key: 'cdr/c1/2026-03-10.csv', rows_read: 1000, rows_quarantined: 11 }],
      missing_hours: [],
    });
    expect(x?.causes[1]?.kind).toBe('segment');
    expect(x?.summary).toMatch(
      /^The data looks incomplete \(cdr\/c1\/2026-03-10\.csv: 1\.1 % of rows quarantined\) — check the export before acting on this\. Service level 50\.0 %/,
    );
  });

  it('lets exactly 1 % quarantined pass', () => {
    const x = first({ ledger: [ledgerEntry({ rows_quarantined: 10 })] });
    expect(x?.suspect_data).toBe(false);
    expect(x?.causes[0]?.kind).toBe('segment');
  });

  it('flags a rejected object of the day', () => {
    const x = first({
      ledger: [
        ledgerEntry({}),
        ledgerEntry({ key: 'cdr/c1/bad.csv', status: 'rejected', rows_read: 0, reason: 'no header' }),
      ],
    });
    expect(x?.causes[0]).toMatchObject({
      kind: 'data_quality',
      findings: ['cdr/c1/bad.csv: rejected (no header)'],
      rejected_objects: [{ key: 'cdr/c1/bad.csv', reason: 'no header' }],
    });
  });

  it('flags an hour with no contacts whose baseline offered is at least 10, a missing baseline hour not counting as 0', () => {
    const x = first({
      history: [
        historyDay('2026-03-03', [
          item('hour', '10', { offered: 12 }),
          item('hour', '12', { offered: 30 }),
          item('hour', '13', { offered: 9 }),
        ]),
        historyDay('2026-02-24', [item('hour', '10', { offered: 8 }), item('hour', '09', { offered: 50 })]),
      ],
    });
    expect(x?.suspect_data).toBe(true);
    expect(x?.causes[0]).toMatchObject({
      kind: 'data_quality',
      missing_hours: [
        { id: '10', baseline_offered: 10 },
        { id: '12', baseline_offered: 30 },
      ],
    });
    expect(x?.summary).toMatch(
      /^The data looks incomplete \(no contacts at all in 10:00–11:00, where about 10 calls are usual and 1 more finding\)/,
    );
  });

  it('is quiet on a clean day', () => {
    const x = first({ ledger: [ledgerEntry({ rows_quarantined: 3 })] });
    expect(x?.suspect_data).toBe(false);
    expect(x?.causes.some((c) => c.kind === 'data_quality')).toBe(false);
  });

  it('knows which local hours a day has across clock changes', () => {
    expect(hoursOfDay('2026-03-08', 'America/New_York')).not.toContain('02');
    expect(hoursOfDay('2026-03-08', 'America/New_York')).toHaveLength(23);
    expect(hoursOfDay('2026-11-01', 'America/New_York')).toHaveLength(24);
    expect(hoursOfDay('2026-03-10', 'Asia/Shanghai')).toHaveLength(24);
  });
});
