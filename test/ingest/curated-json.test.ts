/**
 * The curated writer's pieces: the contact serializer must give exactly the bytes of
 * JSON.stringify (plus source_line) for any record, and for the records every parser really
 * builds (field order included); the gzip buffer must give back every line in order; the
 * dedupe index must answer as a Set would.
 */
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../functions/demo/generate.js';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import type { ParseContext, RowSink } from '../../functions/domain/formats/types.js';
import { Compressor, GzipNdjsonBuffer } from '../../functions/domain/ingest/curated-buffer.js';
import {
  contactLineBound,
  genericLine,
  jsonString,
  writeContactLine,
} from '../../functions/domain/ingest/curated-json.js';
import { SeenKeys } from '../../functions/domain/ingest/seen-keys.js';
import type { ContactRecord } from '../../functions/domain/records.js';

/** Characters JSON escapes or encodes in more than one byte, mixed with plain text. */
const tricky = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'é',
  '中',
  '/',
);
const text = fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), tricky), maxLength: 20 });
const number = fc.oneof(
  fc.nat(),
  fc.maxSafeNat(),
  fc.integer({ min: 1_500_000_000_000, max: 2_500_000_000_000 }),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 1e21, 99_999_999, 100_000_000, 0.1),
);

/** Every field but team_hint always there, in the order of ContactRecord, as the parsers build them. */
const fullContact: fc.Arbitrary<ContactRecord> = fc
  .tuple(
    fc.tuple(text, fc.oneof(fc.constantFrom('inbound', 'transfer', 'outbound'), text)),
    fc.tuple(fc.oneof(fc.constantFrom('voice', 'chat', 'email'), text), text, text, text),
    fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9a-f]{64}$/), text),
    fc.array(number, { minLength: 7, maxLength: 7 }),
    fc.tuple(fc.oneof(fc.constantFrom('answered', 'abandoned', 'connected', 'no_answer'), text), text),
    fc.option(text, { nil: undefined }),
  )
  .map(
    ([[contactId, direction], [channel, center, queue, agentId], token, n, [outcome, disposition], hint]) => {
      const r = {
        contact_id: contactId,
        direction,
        channel,
        center,
        queue,
        agent_id: agentId,
        caller_token: token,
        initiated_at: n[0],
        queue_seconds: n[1],
        ring_seconds: n[2],
        talk_seconds: n[3],
        hold_seconds: n[4],
        acw_seconds: n[5],
        outcome,
        disposition,
        last_updated_at: n[6],
      } as ContactRecord;
      if (hint !== undefined) r.team_hint = hint;
      return r;
    },
  );

/** writeContactLine's bytes, checked to stay inside the bound it promises. */
function written(c: ContactRecord, line: number): Buffer {
  const bound = contactLineBound(c);
  const buf = Buffer.alloc(bound + 8, 0xaa);
  const end = writeContactLine(buf, 3, c, line);
  expect(end - 3 + 1).toBeLessThanOrEqual(bound);
  return buf.subarray(3, end);
}

function capture(format: keyof typeof PARSERS, body: string | Buffer, ctx: ParseContext) {
  const out: Array<[ContactRecord, number]> = [];
  const sink: RowSink = {
    accept(kind, record, line) {
      if (kind === 'contacts') out.push([record as ContactRecord, line]);
    },
    quarantine() {},
    acceptWithoutRecord() {},
  };
  const parser = PARSERS[format](ctx, sink);
  parser.write(Buffer.isBuffer(body) ? gunzipSync(body).toString('utf8') : body);
  parser.end();
  return out;
}

describe('curated contact lines', () => {
  it('are byte for byte JSON.stringify of the record with source_line appended, for any record', () => {
    fc.assert(
      fc.property(fullContact, fc.nat(), (c, line) => {
        expect(written(c, line).equals(Buffer.from(genericLine(c, line)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('write strings exactly as JSON.stringify does, lone surrogates included', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('match JSON.stringify for the records the canonical CSV and Connect parsers build', () => {
    const ctx: ParseContext = {
      center: 'demo',
      timezone: 'Asia/Shanghai',
      tokenizeCaller: (raw) => (raw ? `tok-${raw.length}` : ''),
      now: Date.UTC(2026, 10, 30),
    };
    const files = generateDemo({ lastDay: '2026-11-22', days: 6, dailyVolume: 300 });
    const csv = files.find((f) => f.key.startsWith('cdr/demo/csv/'));
    const ctr = files.find((f) => f.key.startsWith('cdr/demo/connect/'));
    const records = [
      ...capture('canonical-csv', csv?.body ?? '', ctx),
      ...capture('connect-ctr', ctr?.body ?? '', ctx),
    ];
    expect(records.length).toBeGreaterThan(400);
    expect(records.some(([c]) => c.team_hint !== undefined)).toBe(true);
    for (const [c, line] of records) {
      expect(written(c, line).toString('utf8')).toBe(genericLine(c, line));
    }
  });
});

describe('GzipNdjsonBuffer', () => {
  it('gives back every line in order, across slices, lines longer than a slice and tiny groups', async () => {
    const compressor = new Compressor(2 << 20);
    const big = new GzipNdjsonBuffer(compressor);
    const small = new GzipNdjsonBuffer(compressor);
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const line =
        i % 9_999 === 5
          ? `{"huge":"${'中'.repeat(700_000)}"}`
          : JSON.stringify({ i, s: 'é"\\'.repeat(i % 40), e: '\ud83d\ude00' });
      lines.push(line);
      if (i % 2 === 0) big.push(line);
      else {
        const c: ContactRecord = {
          contact_id: `c${i}`,
          direction: 'inbound',
          channel: 'voice',
          center: 'c1',
          queue: 'q',
          agent_id: 'A1',
          caller_token: '',
          initiated_at: 1_795_106_062_000 + i,
          queue_seconds: 1,
          ring_seconds: 0,
          talk_seconds: 60,
          hold_seconds: 0,
          acw_seconds: 5,
          outcome: 'answered',
          disposition: line.slice(0, 50),
          last_updated_at: 1_795_106_062_000,
        };
        lines[i] = genericLine(c, i);
        const buf = big.reserve(contactLineBound(c));
        big.commit(writeContactLine(buf, big.offset, c, i));
      }
      const ready = compressor.ready();
      if (ready) await ready;
    }
    small.push('{"only":1}');
    const body = await big.finish();
    expect(big.count).toBe(lines.length);
    expect(gunzipSync(body).toString('utf8')).toBe(`${lines.join('\n')}\n`);
    expect(gunzipSync(await small.finish()).toString('utf8')).toBe('{"only":1}\n');
    expect((await new GzipNdjsonBuffer().finish()).length).toBe(0);
  });
});

describe('SeenKeys', () => {
  it('answers as a Set of the keys would, for any keys', () => {
    const key = fc.oneof(text, fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('a', 'b', ''));
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), (keys) => {
        const seen = new SeenKeys();
        const set = new Set<string>();
        for (const k of keys) {
          expect(seen.add(k)).toBe(!set.has(k));
          set.add(k);
        }
        expect(seen.size).toBe(set.size);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a million ids exact through its growth', () => {
    const seen = new SeenKeys();
    let added = 0;
    for (let i = 0; i < 1_000_000; i++) if (seen.add(`20261120-${i}`)) added++;
    let again = 0;
    for (let i = 0; i < 1_000_000; i += 997) if (seen.add(`20261120-${i}`)) again++;
    expect([added, again, seen.size]).toEqual([1_000_000, 0, 1_000_000]);
    expect(seen.add('20261120-1000000')).toBe(true);
    // Keys that differ only in a wide character are different keys.
    expect(seen.add('\u00ff')).toBe(true);
    expect(seen.add('\u0100')).toBe(true);
    expect(seen.add('\u00ff\u0000')).toBe(true);
    expect(seen.add('\u00ff')).toBe(false);
  });
});
