import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectCtrParser } from '../../functions/domain/formats/connect-ctr.js';
import type { ParseContext, RowSink } from '../../functions/domain/formats/types.js';
import type { ContactRecord } from '../../functions/domain/records.js';

const token = (raw: string) =>
  raw ? `tok_${createHash('sha256').update(raw).digest('hex').slice(0, 8)}` : '';

const NOW = Date.UTC(2026, 10, 23, 0, 0, 0);
const CALLER = '+8613800138000';

function context(): ParseContext {
  return { center: 'north', timezone: 'Asia/Shanghai', now: NOW, tokenizeCaller: token };
}

type Call =
  | { type: 'accept'; record: ContactRecord; line: number; dedupeKey: string | undefined }
  | { type: 'quarantine'; line: number; reason: string; row: Record<string, string> | string }
  | { type: 'skip'; line: number };

/** Runs the parser over `chunks` in order, collecting every sink call in order. */
function parseChunks(chunks: string[]): Call[] {
  const calls: Call[] = [];
  const sink: RowSink = {
    accept(kind, record, line, dedupeKey) {
      expect(kind).toBe('contacts');
      calls.push({ type: 'accept', record: record as ContactRecord, line, dedupeKey });
    },
    quarantine(line, reason, row) {
      calls.push({ type: 'quarantine', line, reason, row });
    },
    acceptWithoutRecord(line) {
      calls.push({ type: 'skip', line });
    },
  };
  const parser = connectCtrParser(context(), sink);
  for (const c of chunks) parser.write(c);
  parser.end();
  return calls;
}

const parse = (text: string) => parseChunks([text]);

const accepted = (calls: Call[]) => calls.flatMap((c) => (c.type === 'accept' ? [c.record] : []));
const quarantined = (calls: Call[]) => calls.flatMap((c) => (c.type === 'quarantine' ? [c] : []));

type Json = Record<string, unknown>;

/** An answered inbound voice contact as Connect writes it; `overrides` replace top-level fields. */
function ctr(overrides: Json = {}): Json {
  return {
    AWSAccountId: '123456789012',
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    ContactId: 'c-1',
    InitialContactId: null,
    InitiationMethod: 'INBOUND',
    Channel: 'VOICE',
    InitiationTimestamp: '2026-11-22T00:00:00Z',
    ConnectedToSystemTimestamp: '2026-11-22T00:00:00Z',
    DisconnectTimestamp: '2026-11-22T00:05:30Z',
    LastUpdateTimestamp: '2026-11-22T00:06:45Z',
    DisconnectReason: 'CUSTOMER_DISCONNECT',
    CustomerEndpoint: { Address: CALLER, Type: 'TELEPHONE_NUMBER' },
    SystemEndpoint: { Address: '+862150000000', Type: 'TELEPHONE_NUMBER' },
    Queue: {
      ARN: 'arn:aws:connect:ap-northeast-1:123456789012:instance/i-1/queue/q-1',
      Name: 'billing',
      EnqueueTimestamp: '2026-11-22T00:00:20Z',
      DequeueTimestamp: '2026-11-22T00:00:32Z',
      Duration: 12,
    },
    Agent: {
      ARN: 'arn:aws:connect:ap-northeast-1:123456789012:instance/i-1/agent/a-7',
      Username: 'alice',
      ConnectedToAgentTimestamp: '2026-11-22T00:00:35Z',
      AgentInteractionDuration: 240,
      CustomerHoldDuration: 30,
      AfterContactWorkDuration: 45,
      HierarchyGroups: {
        Level1: { ARN: 'arn:g1', GroupName: 'Shanghai' },
        Level2: { ARN: 'arn:g2', GroupName: 'Billing A' },
      },
    },
    Attributes: { disposition: 'resolved', note: 'a "quoted" {brace} and \\ backslash' },
    ...overrides,
  };
}

const ndjson = (records: Json[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
const concatenated = (records: Json[]) => records.map((r) => JSON.stringify(r)).join('');

/** The canonical record of ctr() with no overrides, computed by hand. */
const ANSWERED: ContactRecord = {
  contact_id: 'c-1',
  direction: 'inbound',
  channel: 'voice',
  center: 'north',
  queue: 'billing',
  agent_id: 'alice',
  caller_token: token(CALLER),
  initiated_at: Date.UTC(2026, 10, 22, 0, 0, 0),
  queue_seconds: 12,
  // ConnectedToAgentTimestamp 00:00:35 − DequeueTimestamp 00:00:32
  ring_seconds: 3,
  talk_seconds: 240,
  hold_seconds: 30,
  acw_seconds: 45,
  outcome: 'answered',
  disposition: 'resolved',
  last_updated_at: Date.UTC(2026, 10, 22, 0, 6, 45),
  team_hint: 'Billing A',
};

describe('connectCtrParser', () => {
  it('maps an answered inbound contact record to a canonical contact', () => {
    expect(parse(ndjson([ctr()]))).toEqual([{ type: 'accept', record: ANSWERED, line: 1, dedupeKey: 'c-1' }]);
  });

  it('reads newline-delimited and concatenated (`}{`) records alike, numbering records from 1', () => {
    const records = [ctr(), ctr({ ContactId: 'c-2' }), ctr({ ContactId: 'c-3' })];
    const fromLines = parse(ndjson(records));
    expect(fromLines.map((c) => c.type === 'accept' && [c.record.contact_id, c.line])).toEqual([
      ['c-1', 1],
      ['c-2', 2],
      ['c-3', 3],
    ]);
    expect(parse(concatenated(records))).toEqual(fromLines);
    expect(parse(`\uFEFF  ${concatenated(records)}\r\n\r\n`)).toEqual(fromLines);
  });

  it('gives the same rows whichever position the text is cut at', () => {
    // Strings with escaped quotes, backslashes and braces, records back to back and a truncated tail.
    const text = `${concatenated([ctr(), ctr({ ContactId: 'c-"2"\\' })])}\n${JSON.stringify(ctr({ ContactId: 'c-3' })).slice(0, 80)}`;
    const whole = parse(text);
    expect(whole.map((c) => c.type)).toEqual(['accept', 'accept', 'quarantine']);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(parseChunks([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
  });

  it('gives the same rows for any chunking (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('{', '}', '"', '\\', '\\"', '}{', '\u2028', '😀'),
      fc.integer(),
    );
    const record = fc.record({ note: value, other: fc.array(value, { maxLength: 3 }) });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (attributes, asLines, cuts) => {
          const records = attributes.map((a, i) => ctr({ ContactId: `c-${i}`, Attributes: a }));
          const text = asLines ? ndjson(records) : concatenated(records);
          const positions = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...positions].map((p, i) => text.slice(p, positions[i] ?? text.length));
          const whole = parse(text);
          expect(accepted(whole)).toHaveLength(records.length);
          expect(parseChunks(chunks)).toEqual(whole);
        },
      ),
    );
  });

  it('quarantines a record cut at the end of the file and keeps the ones before it', () => {
    const text = `${JSON.stringify(ctr())}\n${JSON.stringify(ctr({ ContactId: 'c-2' })).slice(0, 300)}`;
    const calls = parse(text);
    expect(accepted(calls).map((r) => r.contact_id)).toEqual(['c-1']);
    expect(quarantined(calls).map((q) => [q.line, q.reason])).toEqual([
      [2, 'truncated JSON record at end of file'],
    ]);
  });

  it('quarantines an object that is not valid JSON, and stray text between objects, then reads on', () => {
    const text = `${JSON.stringify(ctr())}\n{"ContactId": "c-x", oops}\nnot json at all\n${JSON.stringify(ctr({ ContactId: 'c-2' }))}`;
    const calls = parse(text);
    expect(calls.map((c) => [c.type, c.line, c.type === 'quarantine' ? c.reason : ''])).toEqual([
      ['accept', 1, ''],
      ['quarantine', 2, 'invalid JSON'],
      ['quarantine', 3, 'unexpected text between JSON records'],
      ['accept', 4, ''],
    ]);
    expect(quarantined(calls)[1]?.row).toBe('not json at all');
  });

  it('maps transfers (TRANSFER, QUEUE_TRANSFER) to transfer and callbacks to inbound', () => {
    const records = accepted(
      parse(
        ndjson([
          ctr({
            ContactId: 't-1',
            InitiationMethod: 'TRANSFER',
            InitialContactId: 'c-0',
            PreviousContactId: 'c-0',
          }),
          ctr({ ContactId: 't-2', InitiationMethod: 'QUEUE_TRANSFER' }),
          ctr({ ContactId: 'cb-1', InitiationMethod: 'CALLBACK' }),
        ]),
      ),
    );
    expect(records.map((r) => [r.contact_id, r.direction, r.outcome])).toEqual([
      ['t-1', 'transfer', 'answered'],
      ['t-2', 'transfer', 'answered'],
      ['cb-1', 'inbound', 'answered'],
    ]);
  });

  it('marks a queued contact never connected to an agent as abandoned, with no agent and no ring', () => {
    const [record] = accepted(
      parse(
        ndjson([
          ctr({
            Agent: null,
            Queue: {
              Name: 'billing',
              EnqueueTimestamp: '2026-11-22T00:00:20Z',
              DequeueTimestamp: '2026-11-22T00:01:10Z',
              Duration: 50,
            },
            Attributes: {},
          }),
        ]),
      ),
    );
    expect(record).toEqual({
      ...ANSWERED,
      agent_id: '',
      queue_seconds: 50,
      ring_seconds: 0,
      talk_seconds: 0,
      hold_seconds: 0,
      acw_seconds: 0,
      outcome: 'abandoned',
      disposition: '',
      team_hint: undefined,
    });
    expect(record).not.toHaveProperty('team_hint');
  });

  it('accepts an inbound contact that never queued without a record: it was never offered', () => {
    expect(
      parse(ndjson([ctr({ Queue: null, Agent: null }), ctr({ ContactId: 'c-2', Queue: undefined })])),
    ).toEqual([
      { type: 'skip', line: 1 },
      { type: 'skip', line: 2 },
    ]);
  });

  it('classifies outbound records as connected, failed (TELECOM_PROBLEM) or no_answer', () => {
    const outbound = (id: string, talk: number, reason: string) =>
      ctr({
        ContactId: id,
        InitiationMethod: id.startsWith('api') ? 'API' : 'OUTBOUND',
        DisconnectReason: reason,
        Queue: id === 'o-no-queue' ? null : { Name: 'campaign', Duration: 0 },
        Agent: { Username: 'bob', AgentInteractionDuration: talk, AfterContactWorkDuration: 20 },
        Attributes: { disposition: talk > 0 ? 'sale' : '' },
      });
    const records = accepted(
      parse(
        ndjson([
          outbound('o-connected', 95, 'AGENT_DISCONNECT'),
          outbound('o-failed', 0, 'TELECOM_PROBLEM'),
          outbound('o-no-answer', 0, 'CUSTOMER_DISCONNECT'),
          outbound('o-no-queue', 0, 'AGENT_DISCONNECT'),
          outbound('api-1', 10, 'TELECOM_PROBLEM'),
        ]),
      ),
    );
    expect(
      records.map((r) => [
        r.contact_id,
        r.direction,
        r.outcome,
        r.queue,
        r.agent_id,
        r.talk_seconds,
        r.disposition,
      ]),
    ).toEqual([
      ['o-connected', 'outbound', 'connected', 'campaign', 'bob', 95, 'sale'],
      ['o-failed', 'outbound', 'failed', 'campaign', 'bob', 0, ''],
      ['o-no-answer', 'outbound', 'no_answer', 'campaign', 'bob', 0, ''],
      ['o-no-queue', 'outbound', 'no_answer', '', 'bob', 0, ''],
      ['api-1', 'outbound', 'connected', 'campaign', 'bob', 10, 'sale'],
    ]);
  });

  it('emits every copy of a re-delivered contact with its LastUpdateTimestamp and the ContactId as dedupe key', () => {
    const calls = parse(
      ndjson([
        ctr({ LastUpdateTimestamp: '2026-11-22T00:06:45Z', Attributes: {} }),
        ctr({ LastUpdateTimestamp: '2026-11-22T00:20:00.250Z', Attributes: { disposition: 'complaint' } }),
      ]),
    );
    expect(
      calls.map((c) => c.type === 'accept' && [c.dedupeKey, c.record.last_updated_at, c.record.disposition]),
    ).toEqual([
      ['c-1', Date.UTC(2026, 10, 22, 0, 6, 45), ''],
      ['c-1', Date.UTC(2026, 10, 22, 0, 20, 0, 250), 'complaint'],
    ]);
  });

  it('takes the team hint from the deepest hierarchy level present', () => {
    const withLevels = (id: string, groups: unknown) =>
      ctr({ ContactId: id, Agent: { ...(ctr().Agent as Json), HierarchyGroups: groups } });
    const records = accepted(
      parse(
        ndjson([
          withLevels('deep', {
            Level1: { GroupName: 'Site' },
            Level2: { GroupName: 'Floor' },
            Level3: { GroupName: 'Team 3' },
            Level5: { GroupName: '' },
          }),
          withLevels('all-five', {
            Level1: { GroupName: 'L1' },
            Level2: { GroupName: 'L2' },
            Level3: { GroupName: 'L3' },
            Level4: { GroupName: 'L4' },
            Level5: { GroupName: 'L5' },
          }),
          withLevels('none', null),
        ]),
      ),
    );
    expect(records.map((r) => [r.contact_id, r.team_hint])).toEqual([
      ['deep', 'Team 3'],
      ['all-five', 'L5'],
      ['none', undefined],
    ]);
  });

  it('computes ring time from DequeueTimestamp to ConnectedToAgentTimestamp, 0 when either is missing', () => {
    const agent = ctr().Agent as Json;
    const records = accepted(
      parse(
        ndjson([
          ctr({
            ContactId: 'r-1',
            Agent: { ...agent, ConnectedToAgentTimestamp: '2026-11-22T08:00:39.500+08:00' },
          }),
          ctr({ ContactId: 'r-2', Queue: { Name: 'billing', Duration: 12 } }),
          // Clock skew never makes ring time negative.
          ctr({ ContactId: 'r-3', Agent: { ...agent, ConnectedToAgentTimestamp: '2026-11-22T00:00:31Z' } }),
        ]),
      ),
    );
    expect(records.map((r) => [r.contact_id, r.ring_seconds])).toEqual([
      ['r-1', 7.5],
      ['r-2', 0],
      ['r-3', 0],
    ]);
  });

  it('maps chat and email channels, accepts tasks and monitoring records without a record', () => {
    const calls = parse(
      ndjson([
        ctr({ ContactId: 'chat', Channel: 'CHAT' }),
        ctr({ ContactId: 'mail', Channel: 'EMAIL' }),
        ctr({ ContactId: 'default', Channel: undefined }),
        ctr({ ContactId: 'task', Channel: 'TASK' }),
        ctr({ ContactId: 'monitor', InitiationMethod: 'MONITOR' }),
        ctr({ ContactId: 'after-call-flow', InitiationMethod: 'DISCONNECT' }),
      ]),
    );
    expect(
      calls.map((c) => (c.type === 'accept' ? [c.record.contact_id, c.record.channel] : [c.type, c.line])),
    ).toEqual([
      ['chat', 'chat'],
      ['mail', 'email'],
      ['default', 'voice'],
      ['skip', 4],
      ['skip', 5],
      ['skip', 6],
    ]);
  });

  it('quarantines records that cannot be used, with the reason', () => {
    const agent = ctr().Agent as Json;
    const calls = parse(
      ndjson([
        ctr({ ContactId: '' }),
        ctr({ InitiationTimestamp: 'yesterday' }),
        ctr({ LastUpdateTimestamp: undefined }),
        ctr({ Agent: { ...agent, CustomerHoldDuration: -5 } }),
        ctr({ Agent: { ...agent, AgentInteractionDuration: 'long' } }),
        ctr({ InitiationTimestamp: '2026-11-24T00:00:01Z' }),
        ctr({ InitiationMethod: 'EXTERNAL_OUTBOUND' }),
        ctr({ InitiationMethod: null }),
        ctr({ Channel: 'SMS' }),
      ]),
    );
    expect(calls.map((c) => (c.type === 'quarantine' ? [c.line, c.reason] : c.type))).toEqual([
      [1, 'missing ContactId'],
      [2, 'unparseable InitiationTimestamp: yesterday'],
      [3, 'missing LastUpdateTimestamp'],
      [4, 'negative Agent.CustomerHoldDuration'],
      [5, 'non-numeric Agent.AgentInteractionDuration'],
      [6, 'InitiationTimestamp more than one day in the future: 2026-11-24T00:00:01Z'],
      [7, 'unsupported InitiationMethod: EXTERNAL_OUTBOUND'],
      [8, 'missing InitiationMethod'],
      [9, 'unsupported Channel: SMS'],
    ]);
  });

  it('stores a quarantined record as JSON with its endpoint addresses tokenised', () => {
    const [q] = quarantined(parse(ndjson([ctr({ ContactId: '' })])));
    const row = JSON.parse(q?.row as string) as Json;
    expect(row.CustomerEndpoint).toEqual({ Address: token(CALLER), Type: 'TELEPHONE_NUMBER' });
    expect(row.SystemEndpoint).toEqual({ Address: token('+862150000000'), Type: 'TELEPHONE_NUMBER' });
    expect(row.Queue).toEqual(ctr().Queue);
  });

  it('never lets the raw caller number reach the sink', () => {
    const raw = CALLER.slice(1);
    const text = [
      JSON.stringify(ctr()),
      JSON.stringify(ctr({ ContactId: '', Attributes: { callback_number: '138-0013-8000', other: CALLER } })),
      JSON.stringify(ctr({ InitiationTimestamp: CALLER })),
      JSON.stringify(ctr({ InitiationMethod: CALLER })),
      `{"ContactId": "bad", "CustomerEndpoint": {"Address": "${CALLER}"}, }`,
      `garbage ${CALLER} between records`,
      JSON.stringify(ctr()).slice(0, 400),
    ].join('\n');
    const calls = parse(text);
    expect(calls.map((c) => c.type)).toEqual(['accept', ...Array(6).fill('quarantine')]);
    const everything = JSON.stringify(calls);
    expect(everything).not.toContain(raw);
    expect(everything).not.toContain('13800138000');
    expect(everything).not.toContain('138-0013-8000');
    expect(everything).toContain(token(CALLER));
  });
});
