import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalCsvParser } from '../../functions/domain/formats/canonical-csv.js';
import { type ParseContext, RejectedFileError, type RowSink } from '../../functions/domain/formats/types.js';
import type { ContactRecord } from '../../functions/domain/records.js';

const token = (raw: string) =>
  raw ? `tok_${createHash('sha256').update(raw).digest('hex').slice(0, 8)}` : '';

const NOW = Date.UTC(2026, 10, 23, 0, 0, 0);

function context(timezone = 'Asia/Shanghai'): ParseContext {
  return { center: 'north', timezone, now: NOW, tokenizeCaller: token };
}

interface Parsed {
  accepted: Array<{ kind: string; record: ContactRecord; line: number; dedupeKey: string | undefined }>;
  quarantined: Array<{ line: number; reason: string; row: Record<string, string> | string }>;
}

/** Runs the parser over `text` fed in pieces of `chunk` characters, collecting what reaches the sink. */
function parse(text: string, ctx = context(), chunk = 7): Parsed {
  const out: Parsed = { accepted: [], quarantined: [] };
  const sink: RowSink = {
    accept(kind, record, line, dedupeKey) {
      out.accepted.push({ kind, record: record as ContactRecord, line, dedupeKey });
    },
    quarantine(line, reason, row) {
      out.quarantined.push({ line, reason, row });
    },
    acceptWithoutRecord() {
      throw new Error('a CSV row is never accepted without a record');
    },
  };
  const parser = canonicalCsvParser(ctx, sink);
  for (let i = 0; i < text.length; i += chunk) parser.write(text.slice(i, i + chunk));
  parser.end();
  return out;
}

const HEADER =
  'contact_id,direction,channel,queue,agent_id,caller,initiated_at,ended_at,queue_seconds,ring_seconds,talk_seconds,hold_seconds,acw_seconds,outcome,disposition,last_updated_at';

/** A header of the required columns plus `extra`, and rows given as column → value. */
function csv(rows: Array<Record<string, string>>, columns = HEADER.split(',')): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n');
}

const answered = {
  contact_id: 'c-1',
  direction: 'inbound',
  channel: 'voice',
  queue: 'billing',
  agent_id: 'a7',
  caller: '+86 138 0013 8000',
  initiated_at: '2026-11-22 08:00:00',
  ended_at: '2026-11-22 08:05:30',
  queue_seconds: '12',
  ring_seconds: '3',
  talk_seconds: '240.5',
  hold_seconds: '30',
  acw_seconds: '45',
  outcome: 'answered',
  disposition: 'resolved',
  last_updated_at: '2026-11-22T00:06:00Z',
};

function reasons(parsed: Parsed): string[] {
  return parsed.quarantined.map((q) => q.reason);
}

describe('canonicalCsvParser', () => {
  it('turns a full row into a canonical contact record', () => {
    const parsed = parse(csv([answered]));
    expect(parsed.quarantined).toEqual([]);
    expect(parsed.accepted).toEqual([
      {
        kind: 'contacts',
        line: 2,
        dedupeKey: 'c-1',
        record: {
          contact_id: 'c-1',
          direction: 'inbound',
          channel: 'voice',
          center: 'north',
          queue: 'billing',
          agent_id: 'a7',
          caller_token: token('+86 138 0013 8000'),
          // 08:00 in Asia/Shanghai (UTC+8).
          initiated_at: Date.UTC(2026, 10, 22, 0, 0, 0),
          queue_seconds: 12,
          ring_seconds: 3,
          talk_seconds: 240.5,
          hold_seconds: 30,
          acw_seconds: 45,
          outcome: 'answered',
          disposition: 'resolved',
          last_updated_at: Date.UTC(2026, 10, 22, 0, 6, 0),
        },
      },
    ]);
  });

  it('needs only the required columns and fills in the defaults', () => {
    const parsed = parse(
      'contact_id,direction,initiated_at,outcome\no-1,outbound,2026-11-22 09:30:00,no_answer\n',
    );
    expect(parsed.accepted.map((a) => a.record)).toEqual([
      {
        contact_id: 'o-1',
        direction: 'outbound',
        channel: 'voice',
        center: 'north',
        queue: '',
        agent_id: '',
        caller_token: '',
        initiated_at: Date.UTC(2026, 10, 22, 1, 30, 0),
        queue_seconds: 0,
        ring_seconds: 0,
        talk_seconds: 0,
        hold_seconds: 0,
        acw_seconds: 0,
        outcome: 'no_answer',
        disposition: '',
        last_updated_at: Date.UTC(2026, 10, 22, 1, 30, 0),
      },
    ]);
  });

  it('versions a record by last_updated_at, else ended_at, else initiated_at', () => {
    const parsed = parse(
      csv([
        answered,
        { ...answered, contact_id: 'c-2', last_updated_at: '' },
        { ...answered, contact_id: 'c-3', last_updated_at: '', ended_at: '' },
      ]),
    );
    expect(parsed.accepted.map((a) => a.record.last_updated_at)).toEqual([
      Date.UTC(2026, 10, 22, 0, 6, 0),
      Date.UTC(2026, 10, 22, 0, 5, 30),
      Date.UTC(2026, 10, 22, 0, 0, 0),
    ]);
  });

  it('reads an empty duration cell as 0', () => {
    const parsed = parse(csv([{ ...answered, hold_seconds: '', acw_seconds: ' ' }]));
    expect(parsed.accepted[0]?.record).toMatchObject({
      hold_seconds: 0,
      acw_seconds: 0,
      talk_seconds: 240.5,
    });
  });

  it('matches column names and enumerations in any case', () => {
    const parsed = parse(
      ' Contact_ID ,DIRECTION,Initiated_At,Outcome,Channel\nc-9,Inbound,2026-11-22 08:00:00,ANSWERED, Chat \n',
    );
    expect(parsed.quarantined).toEqual([]);
    expect(parsed.accepted[0]?.record).toMatchObject({
      direction: 'inbound',
      outcome: 'answered',
      channel: 'chat',
    });
  });

  it('reads an Excel export: UTF-8 BOM, semicolons, CRLF, quoted fields', () => {
    const text =
      '\uFEFFcontact_id;direction;initiated_at;outcome;disposition;queue\r\n' +
      'c-1;inbound;2026-11-22 08:00:00;answered;"complaint; ""rude""";"售后\r\n服务"\r\n' +
      'c-2;transfer;2026-11-22 08:01:00;abandoned;;售后\r\n';
    const parsed = parse(text);
    expect(parsed.quarantined).toEqual([]);
    expect(
      parsed.accepted.map((a) => [a.line, a.record.contact_id, a.record.disposition, a.record.queue]),
    ).toEqual([
      [2, 'c-1', 'complaint; "rude"', '售后\r\n服务'],
      [4, 'c-2', '', '售后'],
    ]);
  });

  it('reads a tab-delimited file', () => {
    const parsed = parse(
      'contact_id\tdirection\tinitiated_at\toutcome\nc-1\tinbound\t2026-11-22T00:00:00Z\tanswered\n',
    );
    expect(parsed.accepted.map((a) => a.record.initiated_at)).toEqual([Date.UTC(2026, 10, 22)]);
  });

  it('ignores unknown extra columns, also in quarantined rows', () => {
    const columns = [...HEADER.split(','), 'dnis', 'center'];
    const parsed = parse(
      csv(
        [
          { ...answered, dnis: '4008123123', center: 'south' },
          { ...answered, contact_id: 'c-2', outcome: 'lost', dnis: '4008123123' },
        ],
        columns,
      ),
    );
    expect(parsed.accepted.map((a) => a.record.center)).toEqual(['north']);
    expect(parsed.accepted[0]?.record).not.toHaveProperty('dnis');
    expect(parsed.quarantined[0]?.row).not.toHaveProperty('dnis');
  });

  it('rejects a file without a required column, naming it', () => {
    const header = 'contact_id,direction,initiated_at,queue\n';
    expect(() => parse(header)).toThrow(RejectedFileError);
    expect(() => parse(header)).toThrow('missing required column: outcome');
    expect(() => parse('contact_id,queue\nc-1,a\n')).toThrow(
      'missing required columns: direction, initiated_at, outcome',
    );
  });

  it('rejects a file without a header row without echoing its first row', () => {
    const headless = 'c-1,inbound,+8613800138000,2026-11-22 08:00:00,answered\n';
    expect(() => parse(headless)).toThrow(
      'missing required columns: contact_id, direction, initiated_at, outcome',
    );
    expect(() => parse(headless)).not.toThrow(/13800138000/);
  });

  it('rejects a file that names a column twice', () => {
    expect(() => parse('contact_id,direction,initiated_at,outcome,outcome\n')).toThrow(
      'duplicate column: outcome',
    );
  });

  it('reads a header-only file as no rows', () => {
    expect(parse(`${HEADER}\r\n`)).toEqual({ accepted: [], quarantined: [] });
  });

  it('rejects an empty file', () => {
    expect(() => parse('')).toThrow(RejectedFileError);
    expect(() => parse('\n\n')).toThrow(/no header row/);
  });

  it('quarantines each unusable row with its line and the reason, and keeps the good ones', () => {
    const parsed = parse(
      csv([
        { ...answered, contact_id: '' },
        { ...answered, direction: 'sideways' },
        { ...answered, direction: '' },
        { ...answered, outcome: 'lost' },
        { ...answered, outcome: 'connected' },
        { ...answered, direction: 'outbound', outcome: 'abandoned' },
        { ...answered, channel: 'fax' },
        { ...answered, initiated_at: '22.11.2026 08:00' },
        { ...answered, initiated_at: '' },
        { ...answered, ended_at: '2026-11-22 25:00:00' },
        { ...answered, last_updated_at: 'later' },
        { ...answered, talk_seconds: '-5' },
        { ...answered, queue_seconds: 'abc' },
        { ...answered, acw_seconds: 'NaN' },
        answered,
      ]),
    );
    expect(parsed.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [2, 'missing contact_id'],
      [3, 'unknown direction: sideways'],
      [4, 'missing direction'],
      [5, 'unknown outcome: lost'],
      [6, 'outcome not valid for direction: connected on inbound'],
      [7, 'outcome not valid for direction: abandoned on outbound'],
      [8, 'unknown channel: fax'],
      [9, 'unparseable initiated_at: 22.11.2026 08:00'],
      [10, 'missing initiated_at'],
      [11, 'unparseable ended_at: 2026-11-22 25:00:00'],
      [12, 'unparseable last_updated_at: later'],
      [13, 'negative talk_seconds: -5'],
      [14, 'non-numeric queue_seconds: abc'],
      [15, 'non-numeric acw_seconds: NaN'],
    ]);
    expect(parsed.accepted.map((a) => a.line)).toEqual([16]);
  });

  it('quarantines a timestamp more than one day after now, and accepts one within the day', () => {
    // now is 2026-11-23T00:00Z = 08:00 in Shanghai; the limit is 2026-11-24 08:00 local.
    const parsed = parse(
      csv([
        {
          ...answered,
          contact_id: 'ok',
          initiated_at: '2026-11-24 08:00:00',
          ended_at: '',
          last_updated_at: '',
        },
        {
          ...answered,
          contact_id: 'late',
          initiated_at: '2026-11-24 08:00:01',
          ended_at: '',
          last_updated_at: '',
        },
        { ...answered, contact_id: 'late-version', last_updated_at: '2027-01-01T00:00:00Z' },
      ]),
    );
    expect(parsed.accepted.map((a) => a.record.contact_id)).toEqual(['ok']);
    expect(reasons(parsed)).toEqual([
      'initiated_at more than one day in the future: 2026-11-24 08:00:01',
      'last_updated_at more than one day in the future: 2027-01-01T00:00:00Z',
    ]);
  });

  it('never puts a raw phone number into a quarantined row, only its token', () => {
    const parsed = parse(
      csv([
        { ...answered, caller: '13800138000', outcome: 'lost' },
        { ...answered, caller: '+86 138 0013 8001', talk_seconds: '-1' },
        { ...answered, caller: '0086-138-0013-8002', contact_id: '' },
      ]),
    );
    expect(parsed.quarantined).toHaveLength(3);
    const stored = JSON.stringify(parsed.quarantined);
    for (const digits of ['13800138000', '138 0013 8001', '138-0013-8002', '8001', '8002']) {
      expect(stored).not.toContain(digits);
    }
    expect(parsed.quarantined.map((q) => (q.row as Record<string, string>).caller_token)).toEqual([
      token('13800138000'),
      token('+86 138 0013 8001'),
      token('0086-138-0013-8002'),
    ]);
    expect(parsed.quarantined[0]?.row).not.toHaveProperty('caller');
  });

  it('reads local times on the DST days of America/New_York', () => {
    const ctx = context('America/New_York');
    const parsed = parse(
      csv([
        { ...answered, contact_id: 'spring-before', initiated_at: '2026-03-08 01:59:00' },
        { ...answered, contact_id: 'spring-after', initiated_at: '2026-03-08 03:00:00' },
        { ...answered, contact_id: 'fall-first', initiated_at: '2026-11-01 01:30:00' },
        { ...answered, contact_id: 'fall-after', initiated_at: '2026-11-01 02:30:00' },
      ]),
      ctx,
    );
    expect(parsed.accepted.map((a) => [a.record.contact_id, a.record.initiated_at])).toEqual([
      ['spring-before', Date.UTC(2026, 2, 8, 6, 59)],
      ['spring-after', Date.UTC(2026, 2, 8, 7, 0)],
      ['fall-first', Date.UTC(2026, 10, 1, 5, 30)],
      ['fall-after', Date.UTC(2026, 10, 1, 7, 30)],
    ]);
  });

  it('gives every row the line it starts on when a quoted field spans lines', () => {
    const text =
      'contact_id,direction,initiated_at,outcome,disposition\n' +
      'c-1,inbound,2026-11-22 08:00:00,answered,"called back\nlater"\n' +
      'c-2,inbound,2026-11-22 08:00:00,maybe,\n';
    const parsed = parse(text, context(), 3);
    expect(parsed.accepted.map((a) => a.line)).toEqual([2]);
    expect(parsed.quarantined.map((q) => q.line)).toEqual([4]);
  });

  it('keys duplicates by contact id and still reports both rows', () => {
    const parsed = parse(csv([answered, { ...answered, last_updated_at: '2026-11-22T00:07:00Z' }]));
    expect(parsed.accepted.map((a) => [a.line, a.dedupeKey])).toEqual([
      [2, 'c-1'],
      [3, 'c-1'],
    ]);
  });
});
