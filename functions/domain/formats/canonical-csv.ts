/**
 * Canonical CSV contact records (interfaces.md §2 "CDR formats" 1): one column per canonical
 * field (kpis.md §1), `caller` (the raw number, tokenised here) instead of `caller_token`, and
 * an optional `ended_at`.
 *
 * Required columns: contact_id, direction, initiated_at, outcome — without them no metric can
 * place or classify a contact. Every other column may be absent: channel → voice; queue,
 * agent_id, caller, disposition → ''; durations → 0 (an empty cell too); last_updated_at →
 * ended_at, else initiated_at. ended_at only serves that default: it is not compared with
 * initiated_at, because local times in a DST overlap can legitimately run backwards. A
 * `center` column is ignored: the object key names the centre.
 */
import {
  CHANNELS,
  type Channel,
  type ContactRecord,
  DIRECTIONS,
  type Direction,
  INBOUND_OUTCOMES,
  OUTBOUND_OUTCOMES,
  type Outcome,
} from '../records.js';
import { DAY_MS } from '../time.js';
import { cell, createKindCsvParser, pickColumns } from './csv.js';
import { parseNonNegativeNumber, readTimestampCell } from './timestamps.js';
import type { ParserFactory } from './types.js';

const COLUMNS = [
  'contact_id',
  'direction',
  'channel',
  'queue',
  'agent_id',
  'caller',
  'initiated_at',
  'ended_at',
  'queue_seconds',
  'ring_seconds',
  'talk_seconds',
  'hold_seconds',
  'acw_seconds',
  'outcome',
  'disposition',
  'last_updated_at',
] as const;
type Column = (typeof COLUMNS)[number];

const REQUIRED: readonly Column[] = ['contact_id', 'direction', 'initiated_at', 'outcome'];
/** A quarantined row shows these as given, and the caller only as its token. */
const SHOWN_IN_QUARANTINE = COLUMNS.filter((c) => c !== 'caller');
const DURATIONS = ['queue_seconds', 'ring_seconds', 'talk_seconds', 'hold_seconds', 'acw_seconds'] as const;

/** Case-insensitive lookup of an enumeration; the exact lower-case spelling costs one map hit. */
function enumLookup<T extends string>(values: readonly T[]): (text: string) => T | undefined {
  const byText = new Map<string, T>(values.map((v) => [v, v]));
  return (text) => byText.get(text) ?? byText.get(text.trim().toLowerCase());
}
const toDirection = enumLookup<Direction>(DIRECTIONS);
const toChannel = enumLookup<Channel>(CHANNELS);
const toOutcome = enumLookup<Outcome>([...INBOUND_OUTCOMES, ...OUTBOUND_OUTCOMES]);
const OUTBOUND_SET = new Set<Outcome>(OUTBOUND_OUTCOMES);

export const canonicalCsvParser: ParserFactory = (ctx, sink) =>
  createKindCsvParser(COLUMNS, REQUIRED, (col) => {
    const latest = ctx.now + DAY_MS;
    const durationAt = DURATIONS.map((name) => col[name]);
    const seconds: number[] = [0, 0, 0, 0, 0];

    const timestamp = (f: string[], name: Column) =>
      readTimestampCell(cell(f, col[name]), name, ctx.timezone, latest);

    /** The record of a row, or the reason to quarantine it. */
    const toRecord = (f: string[]): ContactRecord | string => {
      const contactId = cell(f, col.contact_id).trim();
      if (contactId === '') return 'missing contact_id';

      const directionText = cell(f, col.direction);
      const direction = toDirection(directionText);
      if (direction === undefined) {
        return directionText.trim() === '' ? 'missing direction' : `unknown direction: ${directionText}`;
      }
      const outcomeText = cell(f, col.outcome);
      const outcome = toOutcome(outcomeText);
      if (outcome === undefined) {
        return outcomeText.trim() === '' ? 'missing outcome' : `unknown outcome: ${outcomeText}`;
      }
      if ((direction === 'outbound') !== OUTBOUND_SET.has(outcome)) {
        return `outcome not valid for direction: ${outcome} on ${direction}`;
      }
      const channelText = cell(f, col.channel);
      const channel = toChannel(channelText) ?? (channelText.trim() === '' ? 'voice' : undefined);
      if (channel === undefined) return `unknown channel: ${channelText}`;

      const initiatedAt = timestamp(f, 'initiated_at');
      if (initiatedAt === undefined) return 'missing initiated_at';
      if (typeof initiatedAt === 'string') return initiatedAt;
      const endedAt = timestamp(f, 'ended_at');
      if (typeof endedAt === 'string') return endedAt;
      const lastUpdatedAt = timestamp(f, 'last_updated_at');
      if (typeof lastUpdatedAt === 'string') return lastUpdatedAt;

      for (let k = 0; k < DURATIONS.length; k++) {
        const text = cell(f, durationAt[k] ?? -1);
        const value = parseNonNegativeNumber(text);
        if (typeof value === 'number') seconds[k] = value;
        else if (value === 'empty') seconds[k] = 0;
        else return `${value === 'negative' ? 'negative' : 'non-numeric'} ${DURATIONS[k]}: ${text}`;
      }

      return {
        contact_id: contactId,
        direction,
        channel,
        center: ctx.center,
        queue: cell(f, col.queue).trim(),
        agent_id: cell(f, col.agent_id).trim(),
        caller_token: ctx.tokenizeCaller(cell(f, col.caller)),
        initiated_at: initiatedAt,
        queue_seconds: seconds[0] ?? 0,
        ring_seconds: seconds[1] ?? 0,
        talk_seconds: seconds[2] ?? 0,
        hold_seconds: seconds[3] ?? 0,
        acw_seconds: seconds[4] ?? 0,
        outcome,
        disposition: cell(f, col.disposition).trim(),
        last_updated_at: lastUpdatedAt ?? endedAt ?? initiatedAt,
      };
    };

    return (f, line) => {
      const record = toRecord(f);
      if (typeof record !== 'string') {
        sink.accept('contacts', record, line, record.contact_id);
        return;
      }
      const row = pickColumns(f, col, SHOWN_IN_QUARANTINE);
      if (col.caller >= 0) row.caller_token = ctx.tokenizeCaller(cell(f, col.caller));
      sink.quarantine(line, record, row);
    };
  });
