import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContactColumns,
  ContactColumnsBuilder,
  NONE,
  toContactColumns,
} from '../../functions/domain/kpi/contact-columns.js';
import { dedupeContacts, type Sourced } from '../../functions/domain/kpi/dedupe.js';
import { computeDayKpis } from '../../functions/domain/kpi/rollup.js';
import { hashString, StringIndex } from '../../functions/domain/kpi/string-index.js';
import type { ContactRecord } from '../../functions/domain/records.js';
import { contact, dayInput, local } from './factories.js';

/** What the columns say about each row, in the records' own terms. */
function rowsOf(c: ContactColumns): Array<Record<string, unknown>> {
  const name = (values: readonly string[], id: number): string => (id === NONE ? '' : (values[id] as string));
  return Array.from({ length: c.length }, (_, i) => ({
    contact_id: c.contactId[i],
    direction: c.direction[i],
    outcome: c.outcome[i],
    initiated_at: c.initiatedAt[i],
    queue_seconds: c.queueSeconds[i],
    ring_seconds: c.ringSeconds[i],
    talk_seconds: c.talkSeconds[i],
    hold_seconds: c.holdSeconds[i],
    acw_seconds: c.acwSeconds[i],
    queue: name(c.queues, c.queue[i] as number),
    agent_id: name(c.agents, c.agent[i] as number),
    disposition: name(c.dispositions, c.disposition[i] as number),
    team_hint: name(c.teamHints, c.teamHint[i] as number),
  }));
}

/** Callers as the first row of each caller id: equal ids must mean equal tokens, and back. */
function callerClasses(c: ContactColumns, tokens: readonly string[]): void {
  const tokenOfId = new Map<number, string>();
  const idOfToken = new Map<string, number>();
  for (let i = 0; i < c.length; i++) {
    const id = c.caller[i] as number;
    const token = tokens[i] as string;
    if (token === '') {
      expect(id).toBe(NONE);
      continue;
    }
    expect(id).toBeGreaterThanOrEqual(0);
    expect(id).toBeLessThan(c.callers);
    expect(tokenOfId.get(id) ?? token).toBe(token);
    expect(idOfToken.get(token) ?? id).toBe(id);
    tokenOfId.set(id, token);
    idOfToken.set(token, id);
  }
}

describe('toContactColumns', () => {
  it('keeps every field of every record, ids standing for the strings', () => {
    const records = [
      contact({ contact_id: 'a', queue: 'sales', agent_id: 'A1', caller_token: 't1', talk_seconds: 61.5 }),
      contact({
        contact_id: 'b',
        direction: 'outbound',
        outcome: 'no_answer',
        queue: '',
        agent_id: 'A2',
        disposition: 'Sale',
        team_hint: 'North',
      }),
      contact({ contact_id: 'c', direction: 'transfer', outcome: 'abandoned', caller_token: 't1' }),
    ];
    const c = toContactColumns(records);
    expect(c.length).toBe(3);
    expect(rowsOf(c)).toEqual([
      expect.objectContaining({ contact_id: 'a', direction: 0, outcome: 0, queue: 'sales', agent_id: 'A1' }),
      expect.objectContaining({
        direction: 2,
        outcome: 3,
        queue: '',
        disposition: 'Sale',
        team_hint: 'North',
      }),
      expect.objectContaining({ direction: 1, outcome: 1, agent_id: '', talk_seconds: 0 }),
    ]);
    expect(c.talkSeconds[0]).toBe(61.5);
    callerClasses(
      c,
      records.map((r) => r.caller_token),
    );
    expect(c.caller[0]).toBe(c.caller[2]);
  });
});

describe('ContactColumnsBuilder', () => {
  const version = fc.record({
    id: fc.constantFrom('x', 'y', 'z', 'costarring', 'liquid'),
    updated: fc.integer({ min: 0, max: 3 }),
    key: fc.constantFrom('cdr/c1/a.csv', 'cdr/c1/b.csv'),
    line: fc.integer({ min: 1, max: 4 }),
    talk: fc.integer({ min: 0, max: 500 }),
    token: fc.constantFrom('', 'p', 'q', 'costarring', 'liquid'),
    queue: fc.constantFrom('', 'sales', 'billing'),
  });

  it('deduplicates exactly as dedupeContacts does, rows in the same order (property)', () => {
    fc.assert(
      fc.property(fc.array(version, { maxLength: 60 }), (versions) => {
        const items: Sourced<ContactRecord>[] = versions.map((v) => ({
          record: contact({
            contact_id: v.id,
            last_updated_at: v.updated,
            talk_seconds: v.talk,
            caller_token: v.token,
            queue: v.queue,
          }),
          source_key: v.key,
          line: v.line,
        }));
        const builder = new ContactColumnsBuilder(2);
        for (const it of items) builder.addVersion(it.record, it.source_key, it.line);
        const built = builder.build();
        const expected = dedupeContacts(items);
        expect(rowsOf(built)).toEqual(rowsOf(toContactColumns(expected)));
        callerClasses(
          built,
          expected.map((c) => c.caller_token),
        );
        for (const c of expected) expect(builder.has(c.contact_id)).toBe(true);
        expect(builder.has('never')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('grows far past the size it was given', () => {
    const builder = new ContactColumnsBuilder(1);
    for (let i = 0; i < 5000; i++)
      builder.addVersion(contact({ contact_id: `c${i % 3000}`, talk_seconds: i }), 'k', i);
    const c = builder.build();
    expect(c.length).toBe(3000);
    // Contact c0 was read at i = 0 and again at i = 3000 (a later line): the later one wins.
    expect(c.talkSeconds[0]).toBe(3000);
    expect(c.talkSeconds[2999]).toBe(2999);
  });

  it('either appends or deduplicates', () => {
    const appending = new ContactColumnsBuilder();
    appending.add(contact({ contact_id: 'x' }));
    expect(() => appending.addVersion(contact({ contact_id: 'x' }), 'k', 1)).toThrow(/appends/);
    const deduplicating = new ContactColumnsBuilder();
    deduplicating.addVersion(contact({ contact_id: 'x' }), 'k', 1);
    expect(() => deduplicating.add(contact({ contact_id: 'y' }))).toThrow(/deduplicates/);
  });

  it('gives the engine the same KPIs as the records themselves', () => {
    const at = (t: string) => local(`2026-03-10 ${t}`);
    const records = [
      contact({
        contact_id: '1',
        agent_id: 'A',
        caller_token: 'p',
        initiated_at: at('09:00'),
        talk_seconds: 100,
      }),
      contact({
        contact_id: '2',
        agent_id: 'B',
        caller_token: 'p',
        initiated_at: at('10:00'),
        talk_seconds: 200,
      }),
      contact({ contact_id: '3', outcome: 'abandoned', initiated_at: at('11:00'), queue_seconds: 30 }),
    ];
    const builder = new ContactColumnsBuilder();
    for (const [i, r] of records.entries()) builder.addVersion(r, 'k', i + 1);
    const fromColumns = computeDayKpis(dayInput('2026-03-10', { contacts: builder.build() }));
    expect(fromColumns).toEqual(computeDayKpis(dayInput('2026-03-10', { contacts: records })));
    expect(fromColumns.find((r) => r.scope === 'center')?.metrics).toMatchObject({
      offered: 3,
      handled: 2,
      repeated: 1,
    });
  });
});

describe('StringIndex', () => {
  it('finds every key after growing far past its capacity, colliding hashes included', () => {
    const index = new StringIndex(1);
    const keys = ['costarring', 'liquid', ...Array.from({ length: 10_000 }, (_, i) => `k${i}`)];
    expect(hashString('costarring')).toBe(hashString('liquid'));
    expect(keys.map((k) => index.add(k, hashString(k)))).toEqual(keys.map((_, i) => i));
    expect(keys.map((k) => index.find(k, hashString(k)))).toEqual(keys.map((_, i) => i));
    expect(index.add('liquid', hashString('liquid'))).toBe(1);
    expect(index.find('absent', hashString('absent'))).toBe(-1);
    expect(index.size).toBe(keys.length);
  });
});
