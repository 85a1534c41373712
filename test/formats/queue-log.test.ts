import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleQueueLog, queueLogParser } from '../../functions/domain/formats/queue-log.js';
import type { ParseContext, RowSink } from '../../functions/domain/formats/types.js';
import type { AgentStateInterval, ContactRecord, QueueLogEvent } from '../../functions/domain/records.js';

const token = (raw: string) =>
  raw ? `tok_${createHash('sha256').update(raw).digest('hex').slice(0, 8)}` : '';

const TZ = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 10, 24, 0, 0, 0);
const CALLER = '+8613800138000';
const OPTS = { center: 'north', timezone: TZ };

function context(): ParseContext {
  return { center: 'north', timezone: TZ, now: NOW, tokenizeCaller: token };
}

/** Epoch seconds of a Shanghai wall-clock time (UTC+8, no DST). */
const sh = (dateTime: string) => Date.parse(`${dateTime.replace(' ', 'T')}+08:00`) / 1000;
const ms = (dateTime: string) => sh(dateTime) * 1000;
const line = (epoch: number | string, ...fields: string[]) => [String(epoch), ...fields].join('|');

type Call =
  | { type: 'accept'; event: QueueLogEvent; line: number; dedupeKey: string | undefined }
  | { type: 'quarantine'; line: number; reason: string; row: Record<string, string> | string }
  | { type: 'skip'; line: number };

function parseChunks(chunks: string[]): Call[] {
  const calls: Call[] = [];
  const sink: RowSink = {
    accept(kind, record, lineNumber, dedupeKey) {
      expect(kind).toBe('queue_events');
      calls.push({ type: 'accept', event: record as QueueLogEvent, line: lineNumber, dedupeKey });
    },
    quarantine(lineNumber, reason, row) {
      calls.push({ type: 'quarantine', line: lineNumber, reason, row });
    },
    acceptWithoutRecord(lineNumber) {
      calls.push({ type: 'skip', line: lineNumber });
    },
  };
  const parser = queueLogParser(context(), sink);
  for (const c of chunks) parser.write(c);
  parser.end();
  return calls;
}

const parse = (lines: string[]) => parseChunks([`${lines.join('\n')}\n`]);
const eventsOf = (lines: string[]) => parse(lines).flatMap((c) => (c.type === 'accept' ? [c.event] : []));
const assemble = (lines: string[]) => assembleQueueLog(eventsOf(lines), OPTS);

describe('queueLogParser', () => {
  it('keeps each line as an event, the ENTERQUEUE caller id only as its token', () => {
    const t = sh('2026-11-22 09:00:00');
    const calls = parse([
      line(t, '1795309200.11', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 12, '1795309200.11', 'support', 'SIP/8007', 'CONNECT', '12', '1795309212.12', '5'),
    ]);
    expect(calls).toEqual([
      {
        type: 'accept',
        line: 1,
        dedupeKey: line(t, '1795309200.11', 'support', 'NONE', 'ENTERQUEUE', '', '', '1'),
        event: {
          at: t * 1000,
          callid: '1795309200.11',
          queue: 'support',
          agent: 'NONE',
          event: 'ENTERQUEUE',
          data: ['', '', '1'],
          caller_token: token(CALLER),
        },
      },
      {
        type: 'accept',
        line: 2,
        dedupeKey: line(
          t + 12,
          '1795309200.11',
          'support',
          'SIP/8007',
          'CONNECT',
          '12',
          '1795309212.12',
          '5',
        ),
        event: {
          at: (t + 12) * 1000,
          callid: '1795309200.11',
          queue: 'support',
          agent: 'SIP/8007',
          event: 'CONNECT',
          data: ['12', '1795309212.12', '5'],
        },
      },
    ]);
  });

  it('keeps fractional epoch seconds as milliseconds', () => {
    const [call] = parse(['1795309200.25|A|support|SIP/8007|PAUSE|lunch']);
    expect(call?.type === 'accept' && call.event.at).toBe(1795309200250);
  });

  it('accepts lines that carry nothing for the KPIs without a record; blank lines are not rows', () => {
    const t = sh('2026-11-22 08:00:00');
    const calls = parse([
      line(t, 'NONE', 'NONE', 'NONE', 'QUEUESTART', ''),
      '',
      line(t, 'NONE', 'NONE', 'NONE', 'CONFIGRELOAD', ''),
      line(t, 'A', 'support', 'SIP/8001', 'RINGNOANSWER', '6000'),
      '   ',
      line(t, 'B', 'support', 'NONE', 'JOINEMPTY', '1', '1', '0'),
    ]);
    expect(calls).toEqual([
      { type: 'skip', line: 1 },
      { type: 'skip', line: 3 },
      { type: 'skip', line: 4 },
      { type: 'skip', line: 6 },
    ]);
  });

  it('quarantines unknown events, bad epochs, short lines and future timestamps', () => {
    const t = sh('2026-11-22 09:00:00');
    const calls = parse([
      line(t, 'A', 'support', 'NONE', 'FOO', 'x'),
      line('2026-11-22 09:00:00', 'A', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t, 'A', 'support', 'NONE'),
      // now + 1 day = 2026-11-25T00:00:00Z = 08:00 in Shanghai
      line(sh('2026-11-25 08:00:01'), 'A', 'support', 'SIP/8007', 'CONNECT', '1', 'B', '1'),
      line(sh('2026-11-25 08:00:00'), 'A', 'support', 'SIP/8007', 'PAUSE', ''),
    ]);
    expect(calls.map((c) => (c.type === 'quarantine' ? [c.line, c.reason] : c.type))).toEqual([
      [1, 'unknown event: FOO'],
      [2, 'unparseable epoch'],
      [3, 'too few fields: expected epoch|callid|queue|agent|EVENT'],
      [4, 'timestamp more than one day in the future'],
      'accept',
    ]);
    expect(calls[0]?.type === 'quarantine' && calls[0].row).toBe(line(t, 'A', 'support', 'NONE', 'FOO', 'x'));
  });

  it('accepts identical lines each time with the same dedupe key', () => {
    const dup = line(sh('2026-11-22 09:00:00'), 'A', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1');
    const calls = parse([dup, dup]);
    expect(calls.map((c) => c.type)).toEqual(['accept', 'accept']);
    const [first, second] = calls;
    expect(first?.type === 'accept' && first.dedupeKey).toBe(second?.type === 'accept' && second.dedupeKey);
  });

  it('gives the same rows wherever the text is cut, with LF or CRLF', () => {
    const t = sh('2026-11-22 09:00:00');
    const lines = [
      line(t, 'A', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      '',
      line(t + 5, 'A', 'support', 'SIP/8007', 'CONNECT', '5', 'A2', '2'),
      line(t + 5, 'A', 'support', 'SIP/8007', 'NOPE'),
      line(t + 65, 'A', 'support', 'SIP/8007', 'COMPLETEAGENT', '5', '60', '1'),
    ];
    for (const eol of ['\n', '\r\n']) {
      const text = lines.join(eol);
      const whole = parseChunks([text]);
      expect(whole.map((c) => [c.type, c.line])).toEqual([
        ['accept', 1],
        ['accept', 3],
        ['quarantine', 4],
        ['accept', 5],
      ]);
      for (let cut = 0; cut <= text.length; cut++) {
        expect(parseChunks([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
      }
    }
  });

  it('never lets a raw caller number reach the sink', () => {
    const t = sh('2026-11-22 09:00:00');
    const calls = parse([
      line(t, 'A', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1', CALLER),
      line(t + 60, 'A', 'support', 'SIP/8007', 'TRANSFER', '013800138000', 'from-internal', '5', '55', '1'),
      line(
        t + 60,
        'A',
        'support',
        'SIP/8007',
        'BLINDTRANSFER',
        '013800138000',
        'from-internal',
        '5',
        '55',
        '1',
      ),
      line(sh('2026-11-26 09:00:00'), 'B', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line('bad', 'C', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t, 'D', 'support', 'NONE', 'DID', '13800138000'),
      `${CALLER} called`,
      line(CALLER, '1795309200.1', 'q', 'a', 'ENTERQUEUE'),
      line(t, 'E', 'support', 'NONE', CALLER),
    ]);
    expect(calls.map((c) => c.type)).toEqual(['accept', 'accept', 'accept', ...Array(6).fill('quarantine')]);
    const everything = JSON.stringify(calls);
    expect(everything).not.toContain('13800138000');
    expect(everything).toContain(token(CALLER));
    // The well-formed parts of a quarantined line stay readable.
    expect(calls[6]?.type === 'quarantine' && calls[6].row).toBe(`${token(CALLER)} called`);
    expect(calls[7]?.type === 'quarantine' && calls[7].row).toBe(
      line(token(CALLER), '1795309200.1', 'q', 'a', 'ENTERQUEUE'),
    );
  });
});

/** The fields every queue_log contact shares. */
function segment(
  fields: Partial<ContactRecord> & Pick<ContactRecord, 'contact_id' | 'initiated_at'>,
): ContactRecord {
  return {
    direction: 'inbound',
    channel: 'voice',
    center: 'north',
    queue: 'support',
    agent_id: '',
    caller_token: token(CALLER),
    queue_seconds: 0,
    ring_seconds: 0,
    talk_seconds: 0,
    hold_seconds: 0,
    acw_seconds: 0,
    outcome: 'answered',
    disposition: '',
    last_updated_at: fields.initiated_at,
    ...fields,
  };
}

describe('assembleQueueLog: contact segments', () => {
  const t = sh('2026-11-22 09:00:00');

  it('builds an answered segment: wait and ring from CONNECT, talk from COMPLETECALLER', () => {
    const { contacts } = assemble([
      line(t, 'A', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 6, 'A', 'support', 'SIP/8001', 'RINGNOANSWER', '6000'),
      line(t + 12, 'A', 'support', 'SIP/8007', 'CONNECT', '12', 'A-agent', '5'),
      line(t + 200, 'A', 'support', 'SIP/8007', 'COMPLETECALLER', '12', '188', '1'),
    ]);
    expect(contacts).toEqual([
      segment({
        contact_id: 'A',
        agent_id: 'SIP/8007',
        initiated_at: t * 1000,
        queue_seconds: 12,
        ring_seconds: 5,
        talk_seconds: 188,
        last_updated_at: (t + 200) * 1000,
      }),
    ]);
  });

  it('closes unanswered segments on ABANDON, EXITWITHTIMEOUT, EXITEMPTY (wait = data3) and EXITWITHKEY (wait = data4)', () => {
    const { contacts } = assemble([
      line(t, 'B', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 30, 'B', 'support', 'NONE', 'ABANDON', '2', '1', '30'),
      line(t, 'C', 'support', 'NONE', 'ENTERQUEUE', '', '', '2'),
      line(t + 42, 'C', 'support', 'NONE', 'EXITWITHKEY', '5', '1', '2', '42'),
      line(t, 'D', 'sales', 'NONE', 'ENTERQUEUE', '', '', '1'),
      line(t + 300, 'D', 'sales', 'NONE', 'EXITWITHTIMEOUT', '1', '1', '300'),
      line(t + 1, 'E', 'sales', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 1, 'E', 'sales', 'NONE', 'EXITEMPTY', '1', '1', '0'),
    ]);
    const abandoned = (id: string, queue: string, wait: number, end: number, caller = token(CALLER)) =>
      segment({
        contact_id: id,
        queue,
        caller_token: caller,
        initiated_at: (id === 'E' ? t + 1 : t) * 1000,
        queue_seconds: wait,
        outcome: 'abandoned',
        last_updated_at: end * 1000,
      });
    expect(contacts).toEqual([
      abandoned('B', 'support', 30, t + 30),
      abandoned('C', 'support', 42, t + 42, ''),
      abandoned('D', 'sales', 300, t + 300, ''),
      abandoned('E', 'sales', 0, t + 1),
    ]);
  });

  it('opens a transfer segment `#2` when the call enters a queue again, even in the same second as the TRANSFER', () => {
    const { contacts } = assemble([
      line(t, 'F', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 10, 'F', 'support', 'SIP/8007', 'CONNECT', '10', 'F-1', '4'),
      line(t + 70, 'F', 'support', 'SIP/8007', 'TRANSFER', '6001', 'from-internal', '10', '60', '1'),
      line(t + 70, 'F', 'billing', 'NONE', 'ENTERQUEUE', '', '', '1'),
      line(t + 75, 'F', 'billing', 'SIP/8009', 'CONNECT', '5', 'F-2', '3'),
      line(t + 175, 'F', 'billing', 'SIP/8009', 'COMPLETEAGENT', '5', '100', '1'),
      line(t + 175, 'F', 'sales', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 180, 'F', 'sales', 'NONE', 'ABANDON', '1', '1', '5'),
    ]);
    expect(contacts).toEqual([
      segment({
        contact_id: 'F',
        agent_id: 'SIP/8007',
        initiated_at: t * 1000,
        queue_seconds: 10,
        ring_seconds: 4,
        talk_seconds: 60,
        last_updated_at: (t + 70) * 1000,
      }),
      // No caller id on the transfer's ENTERQUEUE: still the same customer.
      segment({
        contact_id: 'F#2',
        direction: 'transfer',
        queue: 'billing',
        agent_id: 'SIP/8009',
        initiated_at: (t + 70) * 1000,
        queue_seconds: 5,
        ring_seconds: 3,
        talk_seconds: 100,
        last_updated_at: (t + 175) * 1000,
      }),
      segment({
        contact_id: 'F#3',
        direction: 'transfer',
        queue: 'sales',
        initiated_at: (t + 175) * 1000,
        queue_seconds: 5,
        outcome: 'abandoned',
        last_updated_at: (t + 180) * 1000,
      }),
    ]);
  });

  it('keeps segments apart when a caller is sent back to the same queue and hangs up in that second', () => {
    const { contacts } = assemble([
      line(t, 'N', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 10, 'N', 'support', 'SIP/8007', 'CONNECT', '10', 'N-1', '4'),
      line(t + 70, 'N', 'support', 'SIP/8007', 'TRANSFER', '600', 'from-queue', '10', '60', '1'),
      line(t + 70, 'N', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 70, 'N', 'support', 'NONE', 'ABANDON', '1', '1', '0'),
    ]);
    expect(
      contacts.map((c) => [c.contact_id, c.outcome, c.agent_id, c.queue_seconds, c.talk_seconds]),
    ).toEqual([
      ['N', 'answered', 'SIP/8007', 10, 60],
      ['N#2', 'abandoned', '', 0, 0],
    ]);
  });

  it('closes an answered segment on BLINDTRANSFER and ATTENDEDTRANSFER (wait = data3, talk = data4)', () => {
    const { contacts } = assemble([
      line(t, 'G', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 8, 'G', 'support', 'PJSIP/8007', 'CONNECT', '8', 'G-1', '2'),
      line(t + 50, 'G', 'support', 'PJSIP/8007', 'BLINDTRANSFER', '6001', 'from-internal', '8', '42', '1'),
      line(t, 'H', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 9, 'H', 'support', 'PJSIP/8008', 'CONNECT', '9', 'H-1', '1'),
      line(t + 90, 'H', 'support', 'PJSIP/8008', 'ATTENDEDTRANSFER', 'BRIDGE', 'b-1', '9', '81', '1'),
    ]);
    expect(
      contacts.map((c) => [c.contact_id, c.outcome, c.agent_id, c.queue_seconds, c.talk_seconds]),
    ).toEqual([
      ['G', 'answered', 'PJSIP/8007', 8, 42],
      ['H', 'answered', 'PJSIP/8008', 9, 81],
    ]);
  });

  it('emits an answered segment whose end is not logged yet (talk 0) and leaves out one still waiting', () => {
    const { contacts } = assemble([
      line(t, 'I', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 7, 'I', 'support', 'SIP/8007', 'CONNECT', '7', 'I-1', '2'),
      line(t, 'J', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
    ]);
    expect(contacts).toEqual([
      segment({
        contact_id: 'I',
        agent_id: 'SIP/8007',
        initiated_at: t * 1000,
        queue_seconds: 7,
        ring_seconds: 2,
        last_updated_at: (t + 7) * 1000,
      }),
    ]);
  });

  it('ignores answers and ends of segments that entered before the given events', () => {
    const { contacts } = assemble([
      line(t + 7, 'K', 'support', 'SIP/8007', 'CONNECT', '7', 'K-1', '2'),
      line(t + 70, 'K', 'support', 'SIP/8007', 'COMPLETEAGENT', '7', '63', '1'),
    ]);
    expect(contacts).toEqual([]);
  });

  describe('a call whose answer and end are in the next day’s file', () => {
    const dayOne = [
      line(sh('2026-11-22 23:59:50'), 'L', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(sh('2026-11-22 23:00:00'), 'M', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(sh('2026-11-22 23:00:20'), 'M', 'support', 'NONE', 'ABANDON', '1', '1', '20'),
    ];
    const dayTwo = [
      line(sh('2026-11-23 00:00:05'), 'L', 'support', 'SIP/8007', 'CONNECT', '15', 'L-1', '3'),
      line(sh('2026-11-23 00:03:05'), 'L', 'support', 'SIP/8007', 'COMPLETEAGENT', '15', '180', '1'),
      line(sh('2026-11-23 00:05:00'), 'L', 'billing', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(sh('2026-11-23 00:05:30'), 'L', 'billing', 'NONE', 'ABANDON', '1', '1', '30'),
    ];
    const expected = [
      segment({
        contact_id: 'M',
        initiated_at: ms('2026-11-22 23:00:00'),
        queue_seconds: 20,
        outcome: 'abandoned',
        last_updated_at: ms('2026-11-22 23:00:20'),
      }),
      segment({
        contact_id: 'L',
        agent_id: 'SIP/8007',
        initiated_at: ms('2026-11-22 23:59:50'),
        queue_seconds: 15,
        ring_seconds: 3,
        talk_seconds: 180,
        last_updated_at: ms('2026-11-23 00:03:05'),
      }),
      segment({
        contact_id: 'L#2',
        direction: 'transfer',
        queue: 'billing',
        initiated_at: ms('2026-11-23 00:05:00'),
        queue_seconds: 30,
        outcome: 'abandoned',
        last_updated_at: ms('2026-11-23 00:05:30'),
      }),
    ];

    it('is still open with the first file alone', () => {
      expect(assemble(dayOne).contacts.map((c) => c.contact_id)).toEqual(['M']);
    });

    it('is complete with both files, in either order', () => {
      expect(assembleQueueLog([...eventsOf(dayOne), ...eventsOf(dayTwo)], OPTS).contacts).toEqual(expected);
      expect(assembleQueueLog([...eventsOf(dayTwo), ...eventsOf(dayOne)], OPTS).contacts).toEqual(expected);
    });

    it('does not depend on event order or on repeated events (property)', () => {
      const events = [...eventsOf(dayOne), ...eventsOf(dayTwo)];
      fc.assert(
        fc.property(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          fc.array(fc.constantFrom(...events), { maxLength: 4 }),
          (permuted, repeated) => {
            expect(assembleQueueLog([...permuted, ...repeated], OPTS).contacts).toEqual(expected);
          },
        ),
      );
    });
  });
});

describe('assembleQueueLog: agent states', () => {
  const interval = (
    agent_id: string,
    state: 'staffed' | 'break',
    start: string,
    end: string,
  ): AgentStateInterval => ({
    agent_id,
    state,
    start: ms(start),
    end: ms(end),
  });

  it('splits a login and a pause across midnight at the local (Asia/Shanghai) day boundary', () => {
    const { agentStates } = assemble([
      line(sh('2026-11-22 22:00:00'), 'NONE', 'NONE', 'Agent/3001', 'AGENTLOGIN', 'SIP/8001'),
      line(sh('2026-11-22 23:30:00'), 'NONE', 'support', 'Agent/3001', 'PAUSE', 'break'),
      line(sh('2026-11-23 00:30:00'), 'NONE', 'support', 'Agent/3001', 'UNPAUSE', ''),
      line(sh('2026-11-23 02:00:00'), 'NONE', 'NONE', 'Agent/3001', 'AGENTLOGOFF', 'SIP/8001', '14400'),
    ]);
    expect(agentStates).toEqual([
      interval('Agent/3001', 'staffed', '2026-11-22 22:00:00', '2026-11-23 00:00:00'),
      interval('Agent/3001', 'break', '2026-11-22 23:30:00', '2026-11-23 00:00:00'),
      interval('Agent/3001', 'staffed', '2026-11-23 00:00:00', '2026-11-23 02:00:00'),
      interval('Agent/3001', 'break', '2026-11-23 00:00:00', '2026-11-23 00:30:00'),
    ]);
  });

  it('uses queue membership for an agent without login events, until the last queue is left', () => {
    const { agentStates } = assemble([
      line(sh('2026-11-22 09:00:00'), 'NONE', 'support', 'SIP/8007', 'ADDMEMBER', ''),
      line(sh('2026-11-22 09:00:00'), 'NONE', 'sales', 'SIP/8007', 'ADDMEMBER', ''),
      line(sh('2026-11-22 12:00:00'), 'NONE', 'support', 'SIP/8007', 'REMOVEMEMBER', ''),
      line(sh('2026-11-22 12:30:00'), 'NONE', 'NONE', 'SIP/8007', 'PAUSEALL', ''),
      line(sh('2026-11-22 12:30:00'), 'NONE', 'sales', 'SIP/8007', 'PAUSE', 'lunch'),
      line(sh('2026-11-22 13:00:00'), 'NONE', 'sales', 'SIP/8007', 'UNPAUSE', ''),
      line(sh('2026-11-22 17:00:00'), 'NONE', 'sales', 'SIP/8007', 'REMOVEMEMBER', ''),
      line(sh('2026-11-22 17:30:00'), 'NONE', 'sales', 'SIP/8007', 'ADDMEMBER', ''),
      line(sh('2026-11-22 18:00:00'), 'NONE', 'sales', 'SIP/8007', 'REMOVEMEMBER', ''),
    ]);
    expect(agentStates).toEqual([
      interval('SIP/8007', 'staffed', '2026-11-22 09:00:00', '2026-11-22 17:00:00'),
      interval('SIP/8007', 'break', '2026-11-22 12:30:00', '2026-11-22 13:00:00'),
      interval('SIP/8007', 'staffed', '2026-11-22 17:30:00', '2026-11-22 18:00:00'),
    ]);
  });

  it('ends a state still open at the agent’s last event, and counts breaks only within staffed time', () => {
    const t = sh('2026-11-22 08:00:00');
    const { agentStates } = assemble([
      line(t - 600, 'NONE', 'support', 'Agent/3002', 'PAUSE', 'early'),
      line(t, 'NONE', 'NONE', 'Agent/3002', 'AGENTLOGIN', 'SIP/8002'),
      line(t + 1800, 'NONE', 'support', 'Agent/3002', 'UNPAUSE', ''),
      line(t + 3600, 'P', 'support', 'NONE', 'ENTERQUEUE', '', CALLER, '1'),
      line(t + 3605, 'P', 'support', 'Agent/3002', 'CONNECT', '5', 'P-1', '2'),
      line(t + 7200, 'P', 'support', 'Agent/3002', 'COMPLETEAGENT', '5', '3595', '1'),
    ]);
    expect(agentStates).toEqual([
      interval('Agent/3002', 'staffed', '2026-11-22 08:00:00', '2026-11-22 10:00:00'),
      interval('Agent/3002', 'break', '2026-11-22 08:00:00', '2026-11-22 08:30:00'),
    ]);
  });

  it('treats a logoff and a new login in the same second as one continuous shift', () => {
    const t = sh('2026-11-22 08:00:00');
    const { agentStates } = assemble([
      line(t, 'NONE', 'NONE', 'Agent/3003', 'AGENTLOGIN', 'SIP/8003'),
      line(t + 3600, 'NONE', 'NONE', 'Agent/3003', 'AGENTLOGIN', 'SIP/8004'),
      line(t + 3600, 'NONE', 'NONE', 'Agent/3003', 'AGENTLOGOFF', 'SIP/8003', '3600'),
      line(t + 7200, 'NONE', 'NONE', 'Agent/3003', 'AGENTLOGOFF', 'SIP/8004', '3600'),
    ]);
    expect(agentStates).toEqual([
      interval('Agent/3003', 'staffed', '2026-11-22 08:00:00', '2026-11-22 10:00:00'),
    ]);
  });
});
