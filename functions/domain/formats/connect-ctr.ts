/**
 * Amazon Connect contact records (interfaces.md §2, CDR format 2) as Kinesis Data Firehose
 * delivers them: JSON objects one per line or concatenated with no separator (`}{`), in chunks
 * that may split a record anywhere. Each object is one row, numbered from 1; so is each run of
 * stray text between objects.
 *
 * Choices the spec leaves open:
 * - InitiationMethod MONITOR (a supervisor listening in) and DISCONNECT (the flow that runs
 *   after a call ends) are well-formed records that describe no customer contact: accepted
 *   without a record. Any other method outside the spec's six is quarantined, so a new method
 *   shows in the ledger instead of being guessed at.
 * - Channel TASK (a back-office work item) is accepted without a record: it is neither a call,
 *   a chat nor an email, and counting it as one would distort that channel's KPIs. An unknown
 *   channel is quarantined; a missing one is voice (kpis.md §1 default).
 * - An inbound or transfer record without `Queue` never queued (IVR only, or the caller hung
 *   up in the flow): it was never offered, so it is accepted without a record.
 * - A quarantined record is stored as JSON with every endpoint address replaced by its token
 *   and anything else that looks like a phone number (attributes, free text) tokenised too.
 */
import type { Channel, ContactRecord, Direction, Outcome } from '../records.js';
import { DAY_MS } from '../time.js';
import { redactPhoneNumbers } from './redact.js';
import { type NumberProblem, parseNonNegativeNumber, readTimestampCell } from './timestamps.js';
import type { ParseContext, ParserFactory } from './types.js';

type Json = Record<string, unknown>;

const DIRECTION_BY_METHOD = new Map<string, Direction>([
  ['INBOUND', 'inbound'],
  ['CALLBACK', 'inbound'],
  ['TRANSFER', 'transfer'],
  ['QUEUE_TRANSFER', 'transfer'],
  ['OUTBOUND', 'outbound'],
  ['API', 'outbound'],
]);
const METHODS_WITHOUT_CONTACT = new Set(['MONITOR', 'DISCONNECT']);

const CHANNEL_BY_NAME = new Map<string, Channel>([
  ['VOICE', 'voice'],
  ['CHAT', 'chat'],
  ['EMAIL', 'email'],
]);
const CHANNELS_WITHOUT_CONTACT = new Set(['TASK']);

const HIERARCHY_LEVELS_DEEPEST_FIRST = ['Level5', 'Level4', 'Level3', 'Level2', 'Level1'];
const ENDPOINTS = ['CustomerEndpoint', 'SystemEndpoint', 'TransferredToEndpoint'];

/** Quarantined text is cut here: a run of garbage can be as large as the object. */
const MAX_QUARANTINED_CHARS = 10_000;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  return typeof value === 'number' ? String(value) : '';
}

/** Connect writes durations as JSON numbers; a numeric string is read the way CSV cells are. */
function toSeconds(value: unknown): number | NumberProblem {
  if (typeof value === 'string') return parseNonNegativeNumber(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not a number';
  return value < 0 ? 'negative' : value;
}

/** Reads timestamps and durations of one record, keeping the first reason to quarantine it. */
class FieldReader {
  problem: string | undefined;

  constructor(
    private readonly timeZone: string,
    private readonly latest: number,
  ) {}

  /** Epoch ms; undefined when absent (after recording a problem if `required`). */
  instant(value: unknown, name: string, required = false): number | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) this.fail(`missing ${name}`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(`unparseable ${name}`);
      return undefined;
    }
    const at = readTimestampCell(value, name, this.timeZone, this.latest);
    if (typeof at === 'string') this.fail(at);
    return typeof at === 'number' ? at : undefined;
  }

  /** Whole or fractional seconds ≥ 0; 0 when absent. */
  seconds(value: unknown, name: string): number {
    if (value === undefined || value === null) return 0;
    const parsed = toSeconds(value);
    if (typeof parsed === 'number') return parsed;
    if (parsed === 'empty') return 0;
    this.fail(`${parsed === 'negative' ? 'negative' : 'non-numeric'} ${name}`);
    return 0;
  }

  private fail(reason: string): void {
    this.problem ??= reason;
  }
}

function deepestGroupName(hierarchy: unknown): string | undefined {
  const levels = asObject(hierarchy);
  if (levels === undefined) return undefined;
  for (const level of HIERARCHY_LEVELS_DEEPEST_FIRST) {
    const name = asText(asObject(levels[level])?.GroupName);
    if (name !== '') return name;
  }
  return undefined;
}

/** The canonical record, the reason to quarantine, or undefined for a record with nothing for the KPIs. */
function toContact(r: Json, ctx: ParseContext, latest: number): ContactRecord | string | undefined {
  const contactId = asText(r.ContactId);
  if (contactId === '') return 'missing ContactId';

  const method = asText(r.InitiationMethod);
  const direction = DIRECTION_BY_METHOD.get(method);
  if (direction === undefined) {
    if (METHODS_WITHOUT_CONTACT.has(method)) return undefined;
    return method === '' ? 'missing InitiationMethod' : `unsupported InitiationMethod: ${method}`;
  }
  const channelName = asText(r.Channel);
  const channel = channelName === '' ? 'voice' : CHANNEL_BY_NAME.get(channelName);
  if (channel === undefined) {
    return CHANNELS_WITHOUT_CONTACT.has(channelName) ? undefined : `unsupported Channel: ${channelName}`;
  }
  const queue = asObject(r.Queue);
  if (queue === undefined && direction !== 'outbound') return undefined;

  const agent = asObject(r.Agent) ?? {};
  const read = new FieldReader(ctx.timezone, latest);
  const initiatedAt = read.instant(r.InitiationTimestamp, 'InitiationTimestamp', true);
  const lastUpdatedAt = read.instant(r.LastUpdateTimestamp, 'LastUpdateTimestamp', true);
  const dequeuedAt = read.instant(queue?.DequeueTimestamp, 'Queue.DequeueTimestamp');
  const connectedAt = read.instant(agent.ConnectedToAgentTimestamp, 'Agent.ConnectedToAgentTimestamp');
  const queueSeconds = read.seconds(queue?.Duration, 'Queue.Duration');
  const talkSeconds = read.seconds(agent.AgentInteractionDuration, 'Agent.AgentInteractionDuration');
  const holdSeconds = read.seconds(agent.CustomerHoldDuration, 'Agent.CustomerHoldDuration');
  const acwSeconds = read.seconds(agent.AfterContactWorkDuration, 'Agent.AfterContactWorkDuration');
  if (read.problem !== undefined || initiatedAt === undefined || lastUpdatedAt === undefined) {
    return read.problem ?? 'missing InitiationTimestamp';
  }

  let outcome: Outcome;
  let agentId = asText(agent.Username);
  if (direction === 'outbound') {
    if (talkSeconds > 0) outcome = 'connected';
    // Contact records cannot tell busy from no answer (interfaces.md §2).
    else outcome = asText(r.DisconnectReason) === 'TELECOM_PROBLEM' ? 'failed' : 'no_answer';
  } else if (connectedAt !== undefined) {
    outcome = 'answered';
  } else {
    outcome = 'abandoned';
    agentId = '';
  }
  const ringSeconds =
    connectedAt !== undefined && dequeuedAt !== undefined
      ? Math.max(0, (connectedAt - dequeuedAt) / 1000)
      : 0;
  const teamHint = agentId === '' ? undefined : deepestGroupName(agent.HierarchyGroups);

  return {
    contact_id: contactId,
    direction,
    channel,
    center: ctx.center,
    queue: asText(queue?.Name),
    agent_id: agentId,
    caller_token: ctx.tokenizeCaller(asText(asObject(r.CustomerEndpoint)?.Address)),
    initiated_at: initiatedAt,
    queue_seconds: queueSeconds,
    ring_seconds: ringSeconds,
    talk_seconds: talkSeconds,
    hold_seconds: holdSeconds,
    acw_seconds: acwSeconds,
    outcome,
    disposition: asText(asObject(r.Attributes)?.disposition),
    last_updated_at: lastUpdatedAt,
    ...(teamHint === undefined ? {} : { team_hint: teamHint }),
  };
}

/** A parsed record as it may be stored in quarantine: endpoint addresses tokenised, other numbers redacted. */
function quarantinedRecord(r: Json, ctx: ParseContext): string {
  const endpoints = new Set<Json>();
  for (const name of ENDPOINTS) {
    const endpoint = asObject(r[name]);
    if (endpoint === undefined || endpoint.Address === undefined) continue;
    endpoint.Address = ctx.tokenizeCaller(asText(endpoint.Address));
    endpoints.add(endpoint);
  }
  return JSON.stringify(r, function (this: unknown, key, value) {
    if (typeof value !== 'string' || (key === 'Address' && endpoints.has(this as Json))) return value;
    // Account ids and ARNs are long digit runs but never phone numbers; keeping them keeps the row readable.
    if (key === 'AWSAccountId' || value.startsWith('arn:')) return value;
    return redactPhoneNumbers(value, ctx);
  });
}

function quarantinedText(text: string, ctx: ParseContext): string {
  const safe = redactPhoneNumbers(text, ctx);
  return safe.length > MAX_QUARANTINED_CHARS ? `${safe.slice(0, MAX_QUARANTINED_CHARS)}…` : safe;
}

type Piece = 'object' | 'garbage' | 'truncated';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

/** Whether the quote at `quoteAt` is escaped: an odd number of backslashes in [from, quoteAt) right before it. */
function escapedAt(text: string, quoteAt: number, from: number): boolean {
  let p = quoteAt - 1;
  while (p >= from && text.charCodeAt(p) === BACKSLASH) p--;
  return (quoteAt - 1 - p) % 2 === 1;
}

/**
 * Cuts a stream of concatenated JSON objects into object texts. It tracks only brace depth
 * outside strings and leaves validation to JSON.parse; strings are skipped with indexOf, so the
 * scan costs far less than the parse. State survives write() calls: a chunk may end anywhere,
 * even between a backslash and the character it escapes.
 */
class JsonObjectSplitter {
  private mode: 'between' | 'object' | 'garbage' = 'between';
  private depth = 0;
  private inString = false;
  /** Inside a string, the previous chunk ended with an unpaired backslash. */
  private escaped = false;
  /** Text of the current piece from earlier chunks. */
  private carried: string[] = [];

  constructor(private readonly emit: (piece: Piece, text: string) => void) {}

  write(chunk: string): void {
    const n = chunk.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const from = i;
        const quoteAt = chunk.indexOf('"', from);
        if (quoteAt < 0) {
          this.escaped = escapedAt(chunk, n, from);
          break;
        }
        if (!escapedAt(chunk, quoteAt, from)) this.inString = false;
        i = quoteAt + 1;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (this.mode === 'object') {
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE) this.depth++;
        else if (c === CLOSE_BRACE && --this.depth === 0) {
          this.mode = 'between';
          this.emit('object', this.take(chunk, start, i + 1));
        }
      } else if (c === OPEN_BRACE) {
        if (this.mode === 'garbage') this.emit('garbage', this.take(chunk, start, i).trimEnd());
        this.mode = 'object';
        this.depth = 1;
        start = i;
      } else if (this.mode === 'between' && !isWhitespace(c)) {
        this.mode = 'garbage';
        start = i;
      }
      i++;
    }
    if (this.mode !== 'between') this.carried.push(start === 0 ? chunk : chunk.slice(start));
  }

  end(): void {
    const rest = this.carried.join('');
    this.carried = [];
    if (this.mode === 'object') this.emit('truncated', rest);
    else if (this.mode === 'garbage') this.emit('garbage', rest.trimEnd());
    this.mode = 'between';
    this.inString = false;
    this.escaped = false;
  }

  private take(chunk: string, start: number, end: number): string {
    const tail = chunk.slice(start, end);
    if (this.carried.length === 0) return tail;
    this.carried.push(tail);
    const text = this.carried.join('');
    this.carried = [];
    return text;
  }
}

export const connectCtrParser: ParserFactory = (ctx, sink) => {
  const latest = ctx.now + DAY_MS;
  let recordNumber = 0;

  const splitter = new JsonObjectSplitter((piece, text) => {
    recordNumber++;
    if (piece === 'garbage') {
      sink.quarantine(recordNumber, 'unexpected text between JSON records', quarantinedText(text, ctx));
      return;
    }
    if (piece === 'truncated') {
      sink.quarantine(recordNumber, 'truncated JSON record at end of file', quarantinedText(text, ctx));
      return;
    }
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      sink.quarantine(recordNumber, 'invalid JSON', quarantinedText(text, ctx));
      return;
    }
    const contact = toContact(parsed, ctx, latest);
    if (contact === undefined) {
      sink.acceptWithoutRecord(recordNumber);
    } else if (typeof contact === 'string') {
      // The reason may quote a field value.
      sink.quarantine(recordNumber, redactPhoneNumbers(contact, ctx), quarantinedRecord(parsed, ctx));
    } else {
      sink.accept('contacts', contact, recordNumber, contact.contact_id);
    }
  });

  return {
    write: (text) => splitter.write(text),
    end: () => splitter.end(),
  };
};
