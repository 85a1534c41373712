/**
 * architecture.md rule 2 (idempotent by source identity), through the real ingest handler and
 * services against the emulators. test/e2e/idempotency.e2e.test.ts already proves that one
 * record re-delivered three times in batches of one changes nothing, and test/e2e/ingest.e2e
 * that a re-uploaded key's KPIs follow the new version; here the duplicates come in batches of
 * several records, in another order, with new message ids, inside one batch and from two Lambda
 * instances at the same time (rule 5 too) — and a new version that touches fewer days, or comes
 * after a rejected one, must leave what that version alone would leave.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyPointer, LedgerEntry } from '../../functions/app/ports.js';
import { createIngestHandler } from '../../functions/handlers/ingest.js';
import { TABLES } from '../../functions/shared/definitions.js';
import { type Call, callsOn, canonicalCsv } from './fixtures.js';
import { CURATED, comparable, listObjects, type Rig, scanAll, startRig } from './harness.js';

let rig: Rig;
let clean: Rig;
beforeAll(async () => {
  [rig, clean] = await Promise.all([startRig(), startRig()]);
});
afterAll(async () => {
  await Promise.all([rig?.stop(), clean?.stop()]);
});
beforeEach(async () => {
  await Promise.all([rig.wipe(), clean.wipe()]);
});

const handlerOf = (r: Rig) => {
  const { ingest } = r.services();
  return createIngestHandler(() => ingest);
};

const FILES: Record<string, string> = {
  'cdr/idem/a.csv': canonicalCsv(callsOn('2026-11-20', 6, 'a')),
  'cdr/idem/b.csv': canonicalCsv(callsOn('2026-11-20', 5, 'b'), [
    'bad,inbound,sales,A1,+8613800000009,2026-11-20T10:00:00Z,-4,60,0,0,answered,2026-11-20T10:02:00Z',
  ]),
  'cdr/idem/c.csv': canonicalCsv([...callsOn('2026-11-20', 3, 'a'), ...callsOn('2026-11-21', 4, 'c')]),
};
const KEYS = Object.keys(FILES);

async function putAll(r: Rig, files: Record<string, string> = FILES) {
  for (const [key, body] of Object.entries(files)) await r.put(key, body);
}

describe('rule 2: idempotent by source identity (S3 object, never the SQS message id)', () => {
  it('rule 2: the same S3 events three times — new message ids, another record order in the batch — leave every item as one delivery did', async () => {
    await putAll(rig);
    const handler = handlerOf(rig);
    const first = rig.sqsEvent(KEYS);
    expect((await handler(first)).batchItemFailures).toEqual([]);
    await rig.drainRollups();
    const once = await rig.snapshot();
    expect(once.tables[TABLES.kpis.localName]?.length).toBeGreaterThan(0);

    const again = [
      rig.sqsEvent([KEYS[2], KEYS[0], KEYS[1]] as string[]),
      rig.sqsEvent([KEYS[1], KEYS[2], KEYS[0]] as string[]),
    ];
    const ids = [first, ...again].flatMap((e) => e.Records.map((r) => r.messageId));
    expect(new Set(ids).size).toBe(9);
    for (const event of again) expect((await handler(event)).batchItemFailures).toEqual([]);
    // Nothing was signalled, and nothing changed: not a timestamp, not a KPI version.
    expect(rig.pendingDays.size).toBe(0);
    await rig.drainRollups();
    expect(await rig.snapshot()).toEqual(once);
  });

  it('rule 2: a duplicate inside one batch (processed in parallel) is the same object too', async () => {
    await putAll(rig);
    await putAll(clean);
    expect((await handlerOf(clean)(clean.sqsEvent(KEYS))).batchItemFailures).toEqual([]);
    await clean.drainRollups();
    const batch = rig.sqsEvent([KEYS[0], KEYS[1], KEYS[0], KEYS[2], KEYS[1]] as string[]);
    expect((await handlerOf(rig)(batch)).batchItemFailures).toEqual([]);
    await rig.drainRollups();
    expect(comparable(await rig.snapshot())).toEqual(comparable(await clean.snapshot()));
  });

  it('rule 2: a message id seen before does not make a new object a duplicate', async () => {
    await putAll(rig, { [KEYS[0] as string]: FILES[KEYS[0] as string] as string });
    const handler = handlerOf(rig);
    const first = rig.sqsEvent([KEYS[0] as string]);
    await handler(first);
    await rig.put('cdr/idem/late.csv', canonicalCsv(callsOn('2026-11-22', 2, 'late')));
    const reused = rig.sqsEvent(['cdr/idem/late.csv']);
    (reused.Records[0] as { messageId: string }).messageId = first.Records[0]?.messageId as string;
    expect((await handler(reused)).batchItemFailures).toEqual([]);
    const ledger = await scanAll(rig.clients.db, TABLES.ledger.localName);
    const processed = ledger
      .filter((i) => String(i.sk).startsWith('obj#'))
      .map((i) => i.entry as LedgerEntry)
      .map((e) => `${e.key} ${e.status}`)
      .sort();
    expect(processed).toEqual(['cdr/idem/a.csv processed', 'cdr/idem/late.csv processed']);
  });
});

describe('rule 2 / rule 5: two concurrent deliveries of one object', () => {
  it('rule 2/5: two Lambda instances ingesting the same record at once store exactly what one delivery stores', async () => {
    const key = 'cdr/idem/c.csv';
    await clean.put(key, FILES[key] as string);
    await rig.put(key, FILES[key] as string);
    expect((await handlerOf(clean)(clean.sqsEvent([key]))).batchItemFailures).toEqual([]);
    await clean.drainRollups();

    // Two containers (each its own service and batch processor), the same S3 record, two SQS messages.
    const [one, two] = [handlerOf(rig), handlerOf(rig)];
    const results = await Promise.all([one(rig.sqsEvent([key])), two(rig.sqsEvent([key]))]);
    expect(results.map((r) => r.batchItemFailures)).toEqual([[], []]);
    await rig.drainRollups();
    expect(comparable(await rig.snapshot())).toEqual(comparable(await clean.snapshot()));
  });
});

describe('rule 2: a new version of a key replaces the old', () => {
  // test/e2e/ingest.e2e.test.ts checks the KPIs of a re-uploaded key; here the new version
  // touches fewer days and has no bad row, and what is stored must be what the new version
  // alone would store: no curated object, quarantine object or KPI item of the old days left.
  const key = 'cdr/idem/fix.csv';
  const v1Calls: Call[] = [
    ...callsOn('2026-11-20', 4, 'fix'),
    ...callsOn('2026-11-21', 3, 'fix'),
    ...callsOn('2026-11-23', 2, 'fix'),
  ];
  const v1 = canonicalCsv(v1Calls, [
    'q1,inbound,sales,A1,+8613800000009,not-a-time,4,60,0,0,answered,2026-11-21T10:02:00Z',
  ]);
  const v2 = canonicalCsv(callsOn('2026-11-20', 4, 'fix').map((c) => ({ ...c, talk: c.talk + 10 })));

  it('rule 2: the old version’s days, quarantine and KPI items disappear; the state is what the new version alone gives', async () => {
    const handler = handlerOf(rig);
    await rig.put(key, v1);
    await handler(rig.sqsEvent([key]));
    await rig.drainRollups();
    const before = (await listObjects(rig.clients.s3, CURATED)).map((o) => o.key);
    expect(before.filter((k) => k.startsWith('contacts/')).length).toBe(3);
    expect(before.filter((k) => k.startsWith('quarantine/')).length).toBe(1);

    await rig.put(key, v2);
    expect((await handler(rig.sqsEvent([key]))).batchItemFailures).toEqual([]);
    await rig.drainRollups();

    await clean.put(key, v2);
    await handlerOf(clean)(clean.sqsEvent([key]));
    await clean.drainRollups();

    // The curated bucket is object for object what the new version alone writes.
    expect(await listObjects(rig.clients.s3, CURATED)).toEqual(await listObjects(clean.clients.s3, CURATED));
    // KPI items (not headers: the replaced days keep a header with a higher version) are the same.
    const items = async (r: Rig) =>
      (await scanAll(r.clients.db, TABLES.kpis.localName))
        .filter((i) => i.sk !== '#day')
        .map((i) => JSON.stringify([i.pk, i.sk, i.metrics]))
        .sort();
    expect(await items(rig)).toEqual(await items(clean));
    const days = async (r: Rig) =>
      [
        ...new Set(
          (await scanAll(r.clients.db, TABLES.kpis.localName))
            .filter((i) => i.sk !== '#day')
            .map((i) => i.pk),
        ),
      ].sort();
    expect(await days(rig)).toEqual(['idem#2026-11-20']);

    const ledger = await scanAll(rig.clients.db, TABLES.ledger.localName);
    const pointer = ledger.find((i) => i.sk === `ptr#${key}`)?.pointer as KeyPointer;
    expect(pointer).toMatchObject({ status: 'processed', days: ['2026-11-20'], quarantine_key: null });
    const statuses = ledger
      .filter((i) => String(i.sk).startsWith('obj#'))
      .map((i) => (i.entry as LedgerEntry).status)
      .sort();
    expect(statuses).toEqual(['processed', 'superseded']);
  });

  it('rule 2: after a rejected version in between, the next good version still supersedes the last processed one', async () => {
    // v1 is processed; v2 cannot be read (the centre's data stays as v1 left it); v3 replaces v1.
    const handler = handlerOf(rig);
    await rig.put(key, v1);
    await handler(rig.sqsEvent([key]));
    await rig.put(key, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3, 0, 0, 7]));
    await handler(rig.sqsEvent([key]));
    await rig.put(key, v2);
    expect((await handler(rig.sqsEvent([key]))).batchItemFailures).toEqual([]);
    await rig.drainRollups();
    // The stored records are v3's alone …
    const curated = (await listObjects(rig.clients.s3, CURATED)).map((o) => o.key);
    expect(curated.filter((k) => !k.includes('date=2026-11-20'))).toEqual([]);
    // … and the ledger says so: one processed version of the key, v1 superseded, v2 rejected.
    const ledger = await scanAll(rig.clients.db, TABLES.ledger.localName);
    const statuses = ledger
      .filter((i) => String(i.sk).startsWith('obj#'))
      .map((i) => i.entry as LedgerEntry)
      .sort((a, b) => (a.received_at < b.received_at ? -1 : 1))
      .map((e) => e.status);
    expect(statuses).toEqual(['superseded', 'rejected', 'processed']);
  });
});
