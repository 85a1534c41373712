import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dedupeContacts,
  dedupeQa,
  dedupeRoster,
  dedupeSurveys,
  rosterInForce,
  type Sourced,
} from '../../functions/domain/kpi/dedupe.js';
import type { ContactRecord } from '../../functions/domain/records.js';
import { contact, evaluation, rosterRow, survey } from './factories.js';

const item = <T>(record: T, source_key: string, line: number): Sourced<T> => ({ record, source_key, line });

describe('dedupeContacts', () => {
  it('keeps the record with the greatest last_updated_at, wherever it was read', () => {
    const out = dedupeContacts([
      item(contact({ contact_id: 'x', last_updated_at: 300, talk_seconds: 3 }), 'cdr/c1/a.csv', 9),
      item(contact({ contact_id: 'x', last_updated_at: 500, talk_seconds: 5 }), 'cdr/c1/a.csv', 2),
      item(contact({ contact_id: 'x', last_updated_at: 400, talk_seconds: 4 }), 'cdr/c1/z.csv', 1),
    ]);
    expect(out.map((c) => c.talk_seconds)).toEqual([5]);
  });

  it('breaks a tie by the greater object key, then the later line', () => {
    const tieByKey = dedupeContacts([
      item(contact({ contact_id: 'x', last_updated_at: 1, talk_seconds: 2 }), 'cdr/c1/b.csv', 1),
      item(contact({ contact_id: 'x', last_updated_at: 1, talk_seconds: 1 }), 'cdr/c1/a.csv', 99),
    ]);
    expect(tieByKey[0]?.talk_seconds).toBe(2);
    const tieByLine = dedupeContacts([
      item(contact({ contact_id: 'x', last_updated_at: 1, talk_seconds: 7 }), 'cdr/c1/a.csv', 7),
      item(contact({ contact_id: 'x', last_updated_at: 1, talk_seconds: 3 }), 'cdr/c1/a.csv', 3),
    ]);
    expect(tieByLine[0]?.talk_seconds).toBe(7);
  });

  it('keeps the same contact id of two centres apart', () => {
    const out = dedupeContacts([
      item(contact({ contact_id: 'x', center: 'c1' }), 'k', 1),
      item(contact({ contact_id: 'x', center: 'c2' }), 'k', 2),
    ]);
    expect(out.map((c) => c.center).sort()).toEqual(['c1', 'c2']);
  });

  it('gives the identical set for any permutation of the input', () => {
    const sourced = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd'),
      center: fc.constantFrom('c1', 'c2'),
      version: fc.integer({ min: 0, max: 3 }),
      key: fc.constantFrom('cdr/c1/1.csv', 'cdr/c1/2.csv', 'cdr/c1/10.csv'),
      line: fc.integer({ min: 1, max: 4 }),
      talk: fc.integer({ min: 0, max: 1000 }),
    });
    // (source_key, line) names one position: at most one record there.
    const items = fc.uniqueArray(sourced, { selector: (s) => `${s.key}#${s.line}`, maxLength: 12 });
    const canonical = (cs: ContactRecord[]) =>
      cs.map((c) => `${c.center}/${c.contact_id}@${c.last_updated_at}:${c.talk_seconds}`).sort();
    fc.assert(
      fc.property(
        items.chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length }))),
        ([xs, shuffled]) => {
          const build = (list: typeof xs) =>
            list.map((s) =>
              item(
                contact({
                  contact_id: s.id,
                  center: s.center,
                  last_updated_at: s.version,
                  talk_seconds: s.talk,
                }),
                s.key,
                s.line,
              ),
            );
          const a = dedupeContacts(build(xs));
          const b = dedupeContacts(build(shuffled));
          expect(canonical(b)).toEqual(canonical(a));
          // One record per (centre, contact id), and it has the greatest version of its key.
          expect(new Set(a.map((c) => `${c.center}/${c.contact_id}`)).size).toBe(a.length);
          for (const c of a) {
            const max = Math.max(
              ...xs.filter((s) => s.id === c.contact_id && s.center === c.center).map((s) => s.version),
            );
            expect(c.last_updated_at).toBe(max);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('dedupeSurveys and dedupeQa', () => {
  it('keeps the latest response per contact, ties by object key', () => {
    const out = dedupeSurveys([
      item(survey({ contact_id: 'x', responded_at: 10, score: 1 }), 'survey/c1/b.csv', 1),
      item(survey({ contact_id: 'x', responded_at: 20, score: 2 }), 'survey/c1/a.csv', 1),
      item(survey({ contact_id: 'y', responded_at: 5, score: 3 }), 'survey/c1/a.csv', 2),
      item(survey({ contact_id: 'y', responded_at: 5, score: 4 }), 'survey/c1/b.csv', 1),
    ]);
    expect(out.map((s) => `${s.contact_id}:${s.score}`).sort()).toEqual(['x:2', 'y:4']);
  });

  it('keeps the latest evaluation per evaluation id, ties by line', () => {
    const out = dedupeQa([
      item(evaluation({ evaluation_id: 'e', evaluated_at: 9, score: 50 }), 'qa/c1/a.csv', 1),
      item(evaluation({ evaluation_id: 'e', evaluated_at: 9, score: 60 }), 'qa/c1/a.csv', 2),
      item(evaluation({ evaluation_id: 'e', evaluated_at: 8, score: 70 }), 'qa/c1/z.csv', 3),
    ]);
    expect(out.map((e) => e.score)).toEqual([60]);
  });
});

describe('roster', () => {
  it('keeps the later row of a repeated (agent, effective_from)', () => {
    const out = dedupeRoster([
      item(rosterRow('A1', 'Later'), 'roster/c1/r.csv', 5),
      item(rosterRow('A1', 'Earlier'), 'roster/c1/r.csv', 2),
      item(rosterRow('A1', 'Dated', '2026-01-01'), 'roster/c1/r.csv', 1),
    ]);
    expect(out.map((r) => r.team).sort()).toEqual(['Dated', 'Later']);
  });

  it('puts in force the latest effective_from on or before the day, with "" as the fallback', () => {
    const rows = [
      rosterRow('A1', 'Always'),
      rosterRow('A1', 'March', '2026-03-01'),
      rosterRow('A1', 'April', '2026-04-01'),
      rosterRow('A2', 'Always2'),
      rosterRow('A3', 'Future', '2027-01-01'),
    ];
    const teams = (date: string) =>
      Object.fromEntries([...rosterInForce(rows, date)].map(([agent, r]) => [agent, r.team]));
    expect(teams('2026-02-28')).toEqual({ A1: 'Always', A2: 'Always2' });
    expect(teams('2026-03-01')).toEqual({ A1: 'March', A2: 'Always2' });
    expect(teams('2026-04-15')).toEqual({ A1: 'April', A2: 'Always2' });
    expect(teams('2027-01-01')).toEqual({ A1: 'April', A2: 'Always2', A3: 'Future' });
  });

  it('does not depend on the order of the rows', () => {
    const rows = [rosterRow('A', 'X', '2026-01-01'), rosterRow('A', 'Y', '2026-01-01'), rosterRow('A', 'Z')];
    expect(rosterInForce(rows, '2026-02-01').get('A')?.team).toBe('Y');
    expect(rosterInForce([...rows].reverse(), '2026-02-01').get('A')?.team).toBe('Y');
  });
});
