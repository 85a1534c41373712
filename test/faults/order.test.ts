/**
 * architecture.md rule 3 (no order assumed) and rule 1 (recompute, don't increment), through the
 * whole local pipeline: the three files of a day — canonical CSV, Amazon Connect records and an
 * Asterisk queue_log, which also reach into the next day — arrive in each of the 6 orders, in 6
 * centres, each file after the previous one's rollup (a file days late). Every centre ends with
 * the same KPIs. The files share callers (FCR across files and formats) and one contact appears
 * in two files with different content (the rollup keeps one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoKpiStore } from '../../functions/adapters/dynamo-kpis.js';
import type { KpiItem } from '../../functions/app/ports.js';
import { addDays, localDate } from '../../functions/domain/time.js';
import { TABLES } from '../../functions/shared/definitions.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { type Call, callsOn, canonicalCsv, connectNdjson, queueLog } from './fixtures.js';
import { clientsFor } from './harness.js';

const DAY = addDays(localDate(Date.now(), 'UTC'), -3);
const NEXT = addDays(DAY, 1);
/** Calls just before midnight and their callers calling back just after (the FCR window spans midnight). */
const lateCalls = (prefix: string): Call[] =>
  callsOn(DAY, 3, prefix).map((c, i) => ({
    ...c,
    at: `${DAY}T23:${String(30 + i * 9).padStart(2, '0')}:00.000Z`,
  }));
const earlyCalls = (prefix: string): Call[] =>
  callsOn(NEXT, 3, prefix).map((c, i) => ({
    ...c,
    at: `${NEXT}T00:${String(10 + i * 9).padStart(2, '0')}:00.000Z`,
  }));

const shared: Call = {
  id: 'shared-1',
  queue: 'sales',
  agent: 'A1',
  caller: '+8613800000077',
  at: `${DAY}T11:00:00.000Z`,
  wait: 10,
  talk: 100,
  updated: `${DAY}T11:10:00.000Z`,
};

const FILES: Array<{ name: string; body: string }> = [
  { name: 'day.csv', body: canonicalCsv([...callsOn(DAY, 8, 'csv'), shared, ...earlyCalls('csv')]) },
  {
    name: 'connect/part-0001.json',
    // The same contact, written later with a longer talk: the greater last_updated_at wins.
    body: connectNdjson([
      ...callsOn(DAY, 6, 'ctr', { queue: 'support' }),
      { ...shared, talk: 160, updated: `${DAY}T11:20:00.000Z` },
      ...lateCalls('ctr-late'),
    ]),
  },
  {
    name: 'queue_log',
    body: queueLog([...callsOn(DAY, 7, 'ql', { queue: 'billing' }), ...lateCalls('ql-late')]),
  },
];

const ORDERS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];
const centerOf = (order: number[]) => `order${order.join('')}`;

let p: TestPipeline;
let kpis: DynamoKpiStore;
beforeAll(async () => {
  p = await startTestPipeline();
  kpis = new DynamoKpiStore(clientsFor(p.stack).db, TABLES.kpis.localName);
  // Step by step: every centre receives its next file, then everything is ingested and rolled up.
  for (let step = 0; step < 3; step++) {
    for (const order of ORDERS) {
      const file = FILES[order[step] as number] as (typeof FILES)[number];
      await p.put(`cdr/${centerOf(order)}/${file.name}`, file.body);
    }
    await p.idle();
  }
});
afterAll(async () => {
  await p?.cleanup();
});

/** A day's KPI items with the centre's own id replaced, sorted (version and computed_at are not in KpiItem). */
async function itemsOf(center: string, date: string): Promise<KpiItem[]> {
  return (await kpis.getItems(center, date))
    .map((i) => (i.scope === 'center' ? { ...i, id: '(centre)' } : i))
    .sort((a, b) => (a.scope + a.id < b.scope + b.id ? -1 : 1));
}

describe('rule 3: no order assumed — the files of a day in every order give the same KPIs', () => {
  it.each([
    ['the day', DAY],
    ['the next day (calls and FCR windows across midnight)', NEXT],
    ['the day before (signalled, no contact)', addDays(DAY, -1)],
  ])('rule 3: %s has the same KPI items in all 6 orders', async (_what, date) => {
    const reference = await itemsOf(centerOf(ORDERS[0] as number[]), date);
    for (const order of ORDERS.slice(1))
      expect(await itemsOf(centerOf(order), date), centerOf(order)).toEqual(reference);
    if (date !== addDays(DAY, -1)) expect(reference.length).toBeGreaterThan(5);
  });

  it('rule 1 and 3: contacts are counted once across files and formats, whatever came first', async () => {
    const [center] = await itemsOf(centerOf([2, 1, 0]), DAY).then((items) =>
      items.filter((i) => i.scope === 'center'),
    );
    // 8 CSV + 6 Connect + 7 queue_log calls of the day, 3 + 3 late ones, and the shared contact once.
    expect(center?.metrics.offered).toBe(8 + 6 + 7 + 3 + 3 + 1);
    const sales = (await kpis.getItems(centerOf([0, 1, 2]), DAY, 'agent', 'A1'))[0];
    const salesOther = (await kpis.getItems(centerOf([1, 0, 2]), DAY, 'agent', 'A1'))[0];
    expect(sales?.metrics).toEqual(salesOther?.metrics);
  });
});
