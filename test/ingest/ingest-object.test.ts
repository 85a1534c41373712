/**
 * The ingest orchestrator on its own (no storage): format detection, counting, day splitting,
 * and the reconciliation invariant rows_read = accepted + quarantined + duplicate (rule 4).
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import { ingestObject, splitByLocalDay } from '../../functions/domain/ingest/ingest-object.js';

const tokenizeCaller = (raw: string) =>
  raw ? `tok_${createHash('sha256').update(raw).digest('hex').slice(0, 8)}` : '';
const ctx = { center: 'c1', timezone: 'Asia/Shanghai', tokenizeCaller, now: Date.UTC(2026, 10, 23) };

async function* bytes(text: string | Buffer): AsyncGenerator<Uint8Array> {
  const b = Buffer.isBuffer(text) ? text : Buffer.from(text);
  // Small pieces: the orchestrator must not care where chunks end.
  for (let i = 0; i < b.length; i += 7) yield b.subarray(i, i + 7);
}

const HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,outcome,last_updated_at';

function lines(body: Buffer): Array<Record<string, unknown>> {
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('ingestObject', () => {
  it('splits contacts by the centre-day of initiated_at in the centre time zone', async () => {
    const csv = [
      HEADER,
      // 23:30 on the 20th in Shanghai is 15:30Z; 00:30 on the 21st is 16:30Z.
      'a,inbound,q,A1,+8613800000001,2026-11-20 23:30:00,3,60,answered,2026-11-20 23:32:00',
      'b,inbound,q,A1,+8613800000002,2026-11-21 00:30:00,3,60,answered,2026-11-21 00:32:00',
    ].join('\n');
    const r = await ingestObject({ kind: 'cdr', body: bytes(csv), ctx, parsers: PARSERS });
    expect(r.status).toBe('processed');
    expect(r.days).toEqual(['2026-11-20', '2026-11-21']);
    expect(r.groups.map((g) => [g.kind, g.date, g.records])).toEqual([
      ['contacts', '2026-11-20', 1],
      ['contacts', '2026-11-21', 1],
    ]);
    const [first] = lines(r.groups[0]?.body as Buffer);
    expect(first).toMatchObject({
      contact_id: 'a',
      initiated_at: Date.UTC(2026, 10, 20, 15, 30),
      source_line: 2,
    });
    expect(JSON.stringify(first)).not.toContain('13800000001');
  });

  it('counts a repeated contact id as a duplicate but keeps both rows for the rollup', async () => {
    const csv = [
      HEADER,
      'a,inbound,q,A1,1,2026-11-20 10:00:00,3,60,answered,2026-11-20 10:02:00',
      'a,inbound,q,A1,1,2026-11-20 10:00:00,3,90,answered,2026-11-20 10:03:00',
    ].join('\n');
    const r = await ingestObject({ kind: 'cdr', body: bytes(csv), ctx, parsers: PARSERS });
    expect(r).toMatchObject({ rows_read: 2, rows_accepted: 1, rows_duplicate: 1, rows_quarantined: 0 });
    expect(r.groups[0]?.records).toBe(2);
  });

  it('clips an agent-state interval to each local day it spans', () => {
    const start = Date.UTC(2026, 10, 20, 14, 0); // 22:00 Shanghai
    const end = Date.UTC(2026, 10, 20, 18, 0); // 02:00 next day
    const pieces = splitByLocalDay({ agent_id: 'A', state: 'staffed', start, end }, 'Asia/Shanghai');
    expect(pieces.map(([d, p]) => [d, (p.end - p.start) / 3_600_000])).toEqual([
      ['2026-11-20', 2],
      ['2026-11-21', 2],
    ]);
  });

  it('keeps rows_read = accepted + quarantined + duplicate for any mix of good, bad and repeated rows (rule 4)', async () => {
    const good = fc
      .record({ id: fc.constantFrom('a', 'b', 'c', 'd'), q: fc.nat(500), talk: fc.nat(900) })
      .map(
        (r) =>
          `${r.id},inbound,q,A1,+861380000000,2026-11-20 10:00:00,${r.q},${r.talk},answered,2026-11-20 10:05:00`,
      );
    const bad = fc.constantFrom(
      'x,inbound,q,A1,1,not-a-time,3,60,answered,2026-11-20 10:05:00',
      'y,sideways,q,A1,1,2026-11-20 10:00:00,3,60,answered,2026-11-20 10:05:00',
      'z,inbound,q,A1,1,2026-11-20 10:00:00,-3,60,answered,2026-11-20 10:05:00',
      ',inbound,q,A1,1,2026-11-20 10:00:00,3,60,answered,2026-11-20 10:05:00',
      'w,inbound,q,A1,1,2030-01-01 10:00:00,3,60,answered,2030-01-01 10:05:00',
      'u,inbound,"q, with ""quotes""",A1,1,2026-11-20 10:00:00,3,60,answered,2026-11-20 10:05:00',
      'v,outbound,q,A1,1,2026-11-20 10:00:00,3,60,answered,2026-11-20 10:05:00',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(good, bad, fc.constant('')), { maxLength: 40 }), async (rows) => {
        const r = await ingestObject({
          kind: 'cdr',
          body: bytes([HEADER, ...rows].join('\n')),
          ctx,
          parsers: PARSERS,
        });
        expect(r.status).toBe('processed');
        expect(r.rows_read).toBe(r.rows_accepted + r.rows_quarantined + r.rows_duplicate);
        const stored = r.groups.reduce((n, g) => n + g.records, 0);
        expect(stored).toBe(r.rows_accepted + r.rows_duplicate);
        expect(r.quarantine?.rows ?? 0).toBe(r.rows_quarantined);
      }),
      { numRuns: 150 },
    );
  });
});
