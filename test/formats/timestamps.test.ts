import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseBoolean,
  parseNonNegativeNumber,
  parseTimestamp,
  readTimestampCell,
} from '../../functions/domain/formats/timestamps.js';
import { zonedToUtc } from '../../functions/domain/time.js';

const SHANGHAI = 'Asia/Shanghai';
const NEW_YORK = 'America/New_York';

describe('parseTimestamp', () => {
  it('reads ISO 8601 with Z or an offset, ignoring the centre zone', () => {
    const instant = Date.UTC(2026, 10, 22, 0, 15, 3);
    expect(parseTimestamp('2026-11-22T08:15:03+08:00', NEW_YORK)).toBe(instant);
    expect(parseTimestamp('2026-11-22T08:15:03+0800', NEW_YORK)).toBe(instant);
    expect(parseTimestamp('2026-11-22T08:15:03+08', NEW_YORK)).toBe(instant);
    expect(parseTimestamp('2026-11-22 08:15:03 +08:00', NEW_YORK)).toBe(instant);
    expect(parseTimestamp('2026-11-22T00:15:03Z', NEW_YORK)).toBe(instant);
    expect(parseTimestamp('2026-11-21T19:15:03-05:00', SHANGHAI)).toBe(instant);
    expect(parseTimestamp('2026-11-22T05:45:03+05:30', SHANGHAI)).toBe(instant);
  });

  it('keeps fractional seconds to the millisecond', () => {
    const instant = Date.UTC(2026, 10, 22, 0, 15, 3);
    expect(parseTimestamp('2026-11-22T00:15:03.5Z', SHANGHAI)).toBe(instant + 500);
    expect(parseTimestamp('2026-11-22T00:15:03.12Z', SHANGHAI)).toBe(instant + 120);
    expect(parseTimestamp('2026-11-22T08:15:03.123456+08:00', SHANGHAI)).toBe(instant + 123);
    expect(parseTimestamp('2026-11-22 08:15:03,250', SHANGHAI)).toBe(instant + 250);
  });

  it('reads local forms in the centre zone', () => {
    const eightLocal = Date.UTC(2026, 10, 22, 0, 0, 0);
    expect(parseTimestamp('2026-11-22 08:00:00', SHANGHAI)).toBe(eightLocal);
    expect(parseTimestamp('2026-11-22T08:00:00', SHANGHAI)).toBe(eightLocal);
    expect(parseTimestamp('2026/11/22 08:00:00', SHANGHAI)).toBe(eightLocal);
    expect(parseTimestamp('2026-11-22 08:00', SHANGHAI)).toBe(eightLocal);
    expect(parseTimestamp(' 2026-11-22 08:00:00 ', SHANGHAI)).toBe(eightLocal);
    expect(parseTimestamp('2026/1/5 8:05:03', SHANGHAI)).toBe(Date.UTC(2026, 0, 5, 0, 5, 3));
    expect(parseTimestamp('2026-11-22 08:00:00', NEW_YORK)).toBe(Date.UTC(2026, 10, 22, 13, 0, 0));
  });

  it('reads a date alone as local midnight only when asked to', () => {
    expect(parseTimestamp('2026-11-22', SHANGHAI)).toBeNull();
    expect(parseTimestamp('2026-11-22', SHANGHAI, true)).toBe(Date.UTC(2026, 10, 21, 16, 0, 0));
    expect(parseTimestamp('2026/11/22', NEW_YORK, true)).toBe(Date.UTC(2026, 10, 22, 5, 0, 0));
  });

  it('reads local times on the DST days of America/New_York', () => {
    // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
    expect(parseTimestamp('2026-03-08 01:30:00', NEW_YORK)).toBe(Date.UTC(2026, 2, 8, 6, 30));
    expect(parseTimestamp('2026-03-08 03:30:00', NEW_YORK)).toBe(Date.UTC(2026, 2, 8, 7, 30));
    // In the gap, the offset before it (EST) applies.
    expect(parseTimestamp('2026-03-08 02:30:00', NEW_YORK)).toBe(Date.UTC(2026, 2, 8, 7, 30));
    // 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST; 01:30 happens twice, the earlier wins.
    expect(parseTimestamp('2026-11-01 00:59:59', NEW_YORK)).toBe(Date.UTC(2026, 10, 1, 4, 59, 59));
    expect(parseTimestamp('2026-11-01 01:30:00', NEW_YORK)).toBe(Date.UTC(2026, 10, 1, 5, 30));
    expect(parseTimestamp('2026-11-01 02:00:00', NEW_YORK)).toBe(Date.UTC(2026, 10, 1, 7, 0));
  });

  it('reads local times in an hour that a half-hour DST shift splits (Australia/Lord_Howe)', () => {
    // 2026-10-04 02:00 (+10:30) becomes 02:30 (+11:00): 02:00–02:29 is a gap, 02:30–02:59 exists.
    const zone = 'Australia/Lord_Howe';
    expect(parseTimestamp('2026-10-04 02:15:00', zone)).toBe(Date.UTC(2026, 9, 3, 15, 45));
    expect(parseTimestamp('2026-10-04 02:45:00', zone)).toBe(Date.UTC(2026, 9, 3, 15, 45));
    expect(parseTimestamp('2026-10-04 02:59:00', zone)).toBe(Date.UTC(2026, 9, 3, 15, 59));
    for (let minute = 0; minute < 60; minute++) {
      const text = `2026-10-04 02:${String(minute).padStart(2, '0')}:00`;
      expect(parseTimestamp(text, zone), text).toBe(zonedToUtc(2026, 10, 4, 2, minute, 0, 0, zone));
    }
  });

  it('returns null for anything that is not a valid timestamp', () => {
    for (const text of [
      '',
      'yesterday',
      '22/11/2026 08:00:00',
      '2026-13-01 00:00:00',
      '2026-02-29 00:00:00',
      '2026-04-31 00:00:00',
      '2026-11-22 24:00:00',
      '2026-11-22 08:60:00',
      '2026-11-22 08:00:60',
      '2026-11-22 08:00:00.',
      '2026-11-22 08:00:00+25:00',
      '2026-11-22 08:00:00+08:',
      '2026-11-22 08:00:00 PM',
      '2026-11-22x08:00:00',
      '2026-11/22 08:00:00',
      '0099-01-01 00:00:00',
      '1764000000',
    ]) {
      expect(parseTimestamp(text, SHANGHAI), text).toBeNull();
    }
    expect(parseTimestamp('2028-02-29 00:00:00', 'UTC')).toBe(Date.UTC(2028, 1, 29));
  });

  it('agrees with zonedToUtc for any local wall-clock time, DST transitions included (property)', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.constantFrom(
          NEW_YORK,
          SHANGHAI,
          'Europe/London',
          'Australia/Lord_Howe',
          'America/St_Johns',
          'UTC',
        ),
        // Days around the 2026 transitions of these zones, and any day of 1990–2040.
        fc.oneof(
          fc.constantFrom('2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'),
          fc
            .date({ min: new Date('1990-01-01'), max: new Date('2040-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10)),
        ),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        (zone, date, h, m, s, ms) => {
          const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
          const text = `${date} ${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
          expect(parseTimestamp(text, zone)).toBe(zonedToUtc(y, mo, d, h, m, s, ms, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads back any instant written as ISO 8601 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        expect(parseTimestamp(new Date(ms).toISOString(), NEW_YORK)).toBe(ms);
      }),
    );
  });
});

describe('readTimestampCell', () => {
  const now = Date.UTC(2026, 10, 23);
  const latest = now + 86_400_000;

  it('gives undefined for an empty cell and the reason, naming the column, for a bad one', () => {
    expect(readTimestampCell('  ', 'initiated_at', 'UTC', latest)).toBeUndefined();
    expect(readTimestampCell('soon', 'initiated_at', 'UTC', latest)).toBe('unparseable initiated_at: soon');
    expect(readTimestampCell('2026-11-24 00:00:01', 'start', 'UTC', latest)).toBe(
      'start more than one day in the future: 2026-11-24 00:00:01',
    );
    expect(readTimestampCell('2026-11-24 00:00:00', 'start', 'UTC', latest)).toBe(latest);
  });
});

describe('parseBoolean', () => {
  it('reads true/false/1/0/yes/no in any case, and an empty cell as the default', () => {
    expect(['true', 'TRUE', '1', 'Yes', ' yes '].map((t) => parseBoolean(t, false))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['false', 'False', '0', 'NO'].map((t) => parseBoolean(t, true))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(parseBoolean('', true)).toBe(true);
    expect(parseBoolean('', false)).toBe(false);
    expect(parseBoolean('maybe', false)).toBeNull();
  });
});

describe('parseNonNegativeNumber', () => {
  it('reads decimal numbers', () => {
    expect(['0', '12', ' 12 ', '12.5', '.5', '+3', '-0', '007'].map(parseNonNegativeNumber)).toEqual([
      0, 12, 12, 12.5, 0.5, 3, 0, 7,
    ]);
  });

  it('tells an empty cell, a non-number and a negative number apart', () => {
    expect(parseNonNegativeNumber('')).toBe('empty');
    expect(parseNonNegativeNumber('   ')).toBe('empty');
    for (const text of ['abc', 'NaN', '1e3', '0x10', 'Infinity', '1,234', '1.2.3', '.', '-', '12s']) {
      expect(parseNonNegativeNumber(text), text).toBe('not a number');
    }
    expect(parseNonNegativeNumber('-5')).toBe('negative');
    expect(parseNonNegativeNumber('-0.5')).toBe('negative');
  });
});
