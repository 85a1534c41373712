/**
 * architecture.md rule 4 (nothing lost, nothing invented) under random malformed input
 * (fast-check, fixed seeds): canonical CSV rows with bad numbers, negative durations, missing
 * fields, binary junk, bad or future timestamps, unknown values and repeated contact ids. Per
 * object: rows_read = rows_accepted + rows_quarantined + rows_duplicate, rows_read is the number
 * of data rows written, what is stored is what is counted, and a row that cannot be used is
 * quarantined. On the domain function with many inputs (the test/ingest property test draws
 * from a fixed list of bad rows; here the damage is random), then through the local pipeline
 * with a few, read back from the ledger API and the curated and quarantine objects.
 */
import { gunzipSync } from 'node:zlib';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPointer, LedgerEntry } from '../../functions/app/ports.js';
import { CallerTokenizer } from '../../functions/domain/caller.js';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import { ingestObject } from '../../functions/domain/ingest/ingest-object.js';
import { addDays, localDate } from '../../functions/domain/time.js';
import { BUCKETS, TABLES } from '../../functions/shared/definitions.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { clientsFor, readObject } from './harness.js';

const HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,hold_seconds,acw_seconds,outcome,last_updated_at';
const COLUMNS = HEADER.split(',');
const col = (name: string) => COLUMNS.indexOf(name);
const DURATIONS = ['queue_seconds', 'talk_seconds', 'hold_seconds', 'acw_seconds'].map(col);
const REQUIRED = ['contact_id', 'direction', 'initiated_at', 'outcome'].map(col);
const DAY = addDays(localDate(Date.now(), 'UTC'), -2);

/** Bytes that cannot change the row structure: no NUL (binary), quote, comma, CR or LF. */
const junkByte = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).filter((b) => b !== 0x22 && b !== 0x2c) },
  { weight: 1, arbitrary: fc.constantFrom(0x01, 0x07, 0x09, 0x0b, 0x1b, 0x1f) },
);
const junk = fc
  .uint8Array({ minLength: 1, maxLength: 12 })
  .chain((a) =>
    fc.array(junkByte, { minLength: a.length, maxLength: a.length }).map((bytes) => Buffer.from(bytes)),
  );

type Damage =
  | { kind: 'none' }
  | { kind: 'bad-number'; at: number; text: string }
  | { kind: 'negative'; at: number; value: number }
  | { kind: 'empty-required'; at: number }
  | { kind: 'truncated'; keep: number }
  | { kind: 'junk'; at: number; bytes: Buffer }
  | { kind: 'bad-time'; text: string }
  | { kind: 'future' }
  | { kind: 'unknown-value'; at: number }
  | { kind: 'extra-fields'; bytes: Buffer };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Damage>({ kind: 'none' }) },
  fc.record({
    kind: fc.constant('bad-number' as const),
    at: fc.constantFrom(...DURATIONS),
    text: fc.constantFrom('abc', '1.2.3', 'NaN', '--5', '1e3', '0x10', '12s', '½', '٣'),
  }),
  fc.record({
    kind: fc.constant('negative' as const),
    at: fc.constantFrom(...DURATIONS),
    value: fc.integer({ min: 1, max: 10_000 }),
  }),
  fc.record({ kind: fc.constant('empty-required' as const), at: fc.constantFrom(...REQUIRED) }),
  // At least two fields stay: a row of one empty field would be a blank line, not a row.
  fc.record({
    kind: fc.constant('truncated' as const),
    keep: fc.integer({ min: 2, max: COLUMNS.length - 1 }),
  }),
  fc.record({ kind: fc.constant('junk' as const), at: fc.nat(COLUMNS.length - 1), bytes: junk }),
  fc.record({
    kind: fc.constant('bad-time' as const),
    text: fc.constantFrom('yesterday', '2026-13-01 10:00:00', '2026-02-30 10:00:00', '25:00', '2026/11/'),
  }),
  fc.constant<Damage>({ kind: 'future' }),
  fc.record({
    kind: fc.constant('unknown-value' as const),
    at: fc.constantFrom(col('direction'), col('outcome')),
  }),
  fc.record({ kind: fc.constant('extra-fields' as const), bytes: junk }),
);

const row = fc.record({
  id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'),
  minute: fc.integer({ min: 0, max: 1439 }),
  answered: fc.boolean(),
  caller: fc.constantFrom('+8613800000001', '13900000002', '', 'anonymous', '010-1234-5678'),
  wait: fc.nat(300),
  talk: fc.nat(900),
  damage,
});
type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;

/** A damage that makes the row unusable whatever else it holds. */
const surelyBad = (d: Damage) =>
  ['bad-number', 'negative', 'empty-required', 'bad-time', 'future', 'unknown-value'].includes(d.kind);

function rowBytes(r: Row, day: string): Buffer {
  const hh = String(Math.floor(r.minute / 60)).padStart(2, '0');
  const mm = String(r.minute % 60).padStart(2, '0');
  const at = `${day} ${hh}:${mm}:00`;
  const fields: Array<string | Buffer> = [
    r.id,
    'inbound',
    'sales',
    r.answered ? 'A1' : '',
    r.caller,
    at,
    String(r.wait),
    String(r.answered ? r.talk : 0),
    '0',
    '0',
    r.answered ? 'answered' : 'abandoned',
    at,
  ];
  const d = r.damage;
  if (d.kind === 'bad-number') fields[d.at] = d.text;
  if (d.kind === 'negative') fields[d.at] = `-${d.value}`;
  if (d.kind === 'empty-required') fields[d.at] = '';
  if (d.kind === 'junk') fields[d.at] = d.bytes;
  if (d.kind === 'bad-time') fields[col('initiated_at')] = d.text;
  if (d.kind === 'future') fields[col('initiated_at')] = `${addDays(day, 30)} 10:00:00`;
  if (d.kind === 'unknown-value') fields[d.at] = 'sideways';
  if (d.kind === 'extra-fields') fields.push(d.bytes, 'x');
  const kept = d.kind === 'truncated' ? fields.slice(0, d.keep) : fields;
  const parts: Buffer[] = [];
  kept.forEach((f, i) => {
    if (i > 0) parts.push(Buffer.from(','));
    parts.push(Buffer.isBuffer(f) ? f : Buffer.from(f));
  });
  return Buffer.concat(parts);
}

function fileOf(rows: Row[], day: string, crlf: boolean): Buffer {
  const eol = Buffer.from(crlf ? '\r\n' : '\n');
  return Buffer.concat([Buffer.from(HEADER), eol, ...rows.flatMap((r) => [rowBytes(r, day), eol])]);
}

const file = fc.record({
  rows: fc.array(row, { maxLength: 30 }),
  crlf: fc.boolean(),
  chunk: fc.integer({ min: 1, max: 97 }),
});

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const tokenizer = new CallerTokenizer('reconciliation-test-key-0123456789', '86');
const lines = (gz: Buffer) => gunzipSync(gz).toString('utf8').split('\n').filter(Boolean);

describe('rule 4: nothing lost, nothing invented — reconciliation counts under random malformed rows', () => {
  it('rule 4: ingestObject counts every data row once: read = accepted + quarantined + duplicate = rows written', async () => {
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, crlf, chunk }) => {
        const r = await ingestObject({
          kind: 'cdr',
          body: chunks(fileOf(rows, DAY, crlf), chunk),
          parsers: PARSERS,
          ctx: {
            center: 'fz',
            timezone: 'UTC',
            tokenizeCaller: (raw) => tokenizer.token(raw),
            now: Date.now(),
          },
        });
        expect(r.status, r.reason).toBe('processed');
        expect(r.rows_read).toBe(rows.length);
        expect(r.rows_read).toBe(r.rows_accepted + r.rows_quarantined + r.rows_duplicate);
        expect(r.rows_quarantined).toBeGreaterThanOrEqual(rows.filter((x) => surelyBad(x.damage)).length);
        // Every accepted or duplicate row is stored (the rollup picks among duplicates); every bad one is in quarantine.
        const stored = r.groups.flatMap((g) => lines(g.body));
        expect(stored).toHaveLength(r.rows_accepted + r.rows_duplicate);
        expect(r.groups.reduce((n, g) => n + g.records, 0)).toBe(stored.length);
        expect(r.quarantine ? lines(r.quarantine.body) : []).toHaveLength(r.rows_quarantined);
        // Accepted ids are distinct: a repeat of an id is a duplicate, never a second accepted row.
        const ids = stored.map((l) => JSON.parse(l).contact_id as string);
        expect(r.rows_accepted).toBe(new Set(ids).size);
        expect(Object.values(r.quarantine_reasons).reduce((a, b) => a + b, 0)).toBe(r.rows_quarantined);
      }),
      { numRuns: 250, seed: 20261124 },
    );
  });

  it('rule 4: a duration too large to represent is quarantined, not stored as null and counted as 0', async () => {
    const csv = `${HEADER}\nbig,inbound,sales,A1,+8613800000001,${DAY} 10:00:00,3,${'9'.repeat(400)},0,0,answered,${DAY} 10:05:00\n`;
    const r = await ingestObject({
      kind: 'cdr',
      body: chunks(Buffer.from(csv), 64),
      parsers: PARSERS,
      ctx: { center: 'fz', timezone: 'UTC', tokenizeCaller: (raw) => tokenizer.token(raw), now: Date.now() },
    });
    expect(r.rows_read).toBe(1);
    const stored = r.groups.flatMap((g) => lines(g.body)).map((l) => JSON.parse(l));
    // A non-finite value would be written as JSON null, and the rollup would count this call's talk as 0 s.
    for (const rec of stored) expect(rec.talk_seconds).not.toBeNull();
    expect(r.rows_quarantined).toBe(1);
  });
});

/** The object's ledger entry through the read API, once its ingest has finished. */
async function ledgerEntry(p: TestPipeline, key: string): Promise<LedgerEntry> {
  for (let i = 0; i < 500; i++) {
    const r = await p.get<{ items: LedgerEntry[] }>('/v1/centers/fuzz/files?limit=1000');
    const e =
      r.status === 200 ? r.body.items.find((x) => x.key === key && x.status !== 'processing') : undefined;
    if (e) return e;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${key} was not ingested`);
}

describe('rule 4: the same counts stored and queryable after the pipeline ingests random malformed files', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    // The days' rollups are not what this checks: a long quiet period keeps them from running.
    p = await startTestPipeline({ rollupQuietMs: 600_000 });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  it('rule 4: ledger (API) counts add up, equal the rows written, and match the curated and quarantine objects', async () => {
    const { s3, db } = clientsFor(p.stack);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, crlf }) => {
        const key = `cdr/fuzz/run-${++run}.csv`;
        await p.put(key, fileOf(rows, DAY, crlf));
        const e = await ledgerEntry(p, key);
        expect(e.status).toBe('processed');
        expect(e.rows_read).toBe(rows.length);
        expect(e.rows_read).toBe(e.rows_accepted + e.rows_quarantined + e.rows_duplicate);
        expect(e.rows_quarantined).toBeGreaterThanOrEqual(rows.filter((x) => surelyBad(x.damage)).length);
        // The key's pointer moves last, just after the entry is written.
        let pointer: KeyPointer | undefined;
        for (let i = 0; i < 100 && pointer?.version !== e.version; i++) {
          if (i > 0) await new Promise((resolve) => setTimeout(resolve, 10));
          const item = await db.send(
            new GetCommand({ TableName: TABLES.ledger.localName, Key: { pk: 'fuzz', sk: `ptr#${key}` } }),
          );
          pointer = item.Item?.pointer as KeyPointer | undefined;
        }
        if (!pointer) throw new Error(`no pointer for ${key}`);
        let stored = 0;
        for (const k of pointer.curated_keys)
          stored += lines(await readObject(s3, BUCKETS.curated.localName, k)).length;
        expect(stored).toBe(e.rows_accepted + e.rows_duplicate);
        const quarantined = pointer.quarantine_key
          ? lines(await readObject(s3, BUCKETS.curated.localName, pointer.quarantine_key)).length
          : 0;
        expect(quarantined).toBe(e.rows_quarantined);
        expect(pointer.quarantine_key === null).toBe(e.rows_quarantined === 0);
      }),
      { numRuns: 12, seed: 20261125 },
    );
  });
});
