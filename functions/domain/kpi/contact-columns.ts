/**
 * A centre-day's contacts as columns: one typed array per numeric field, and the string fields
 * the engine groups by (queue, agent, caller, disposition, team hint) as dense ids into a table
 * of their distinct values. The engine reads a million contacts as a handful of sequential
 * arrays instead of a million objects scattered over the heap, and never hashes a string in
 * its pass (DuckDB keeps a table the same way). The reader builds the columns once,
 * deduplicating as it goes; tests and small callers may hand the engine plain records, which it turns
 * into columns itself.
 */
import type { ContactRecord, Direction, Outcome } from '../records.js';
import { supersedes } from './dedupe.js';
import { hashString, StringIndex } from './string-index.js';

/** Direction codes of ContactColumns.direction. */
export const INBOUND = 0;
export const TRANSFER = 1;
export const OUTBOUND = 2;
/** By comparison, not a keyed lookup: record strings are rarely internalised, and this is per row. */
const directionCode = (d: Direction): number =>
  d === 'inbound' ? INBOUND : d === 'transfer' ? TRANSFER : OUTBOUND;

/** Outcome codes of ContactColumns.outcome. */
export const ANSWERED = 0;
export const ABANDONED = 1;
export const CONNECTED = 2;
const OUTCOME_CODES: readonly Outcome[] = [
  'answered',
  'abandoned',
  'connected',
  'no_answer',
  'busy',
  'failed',
];
const outcomeCode = (o: Outcome): number => {
  for (let k = 0; k < OUTCOME_CODES.length; k++) if (OUTCOME_CODES[k] === o) return k;
  throw new Error(`unknown outcome ${o}`);
};

/** Absent value of an id column ('' in the record). */
export const NONE = -1;

export interface ContactColumns {
  readonly layout: 'columns';
  readonly length: number;
  /** Needed only to join surveys and QA, and to break an agent's team-hint tie. */
  readonly contactId: readonly string[];
  readonly direction: Uint8Array;
  readonly outcome: Uint8Array;
  readonly initiatedAt: Float64Array;
  readonly queueSeconds: Float64Array;
  readonly ringSeconds: Float64Array;
  readonly talkSeconds: Float64Array;
  readonly holdSeconds: Float64Array;
  readonly acwSeconds: Float64Array;
  /** Index into `queues`, or NONE. */
  readonly queue: Int32Array;
  readonly queues: readonly string[];
  /** Index into `agents`, or NONE. */
  readonly agent: Int32Array;
  readonly agents: readonly string[];
  /** Dense caller id (equal ids = equal caller_token), or NONE when the caller is unknown. */
  readonly caller: Int32Array;
  readonly callers: number;
  /** Index into `dispositions`, or NONE. */
  readonly disposition: Int32Array;
  readonly dispositions: readonly string[];
  /** Index into `teamHints`, or NONE. */
  readonly teamHint: Int32Array;
  readonly teamHints: readonly string[];
}

/** Dense ids of a field with few distinct values. */
class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  private last = '';
  private lastId = NONE;

  id(value: string | undefined): number {
    if (!value) return NONE;
    // Runs of one value (a file's source key, a queue's block of rows) skip the map.
    if (value === this.last) return this.lastId;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    this.last = value;
    this.lastId = id;
    return id;
  }
}

type NumberArray = Float64Array | Int32Array | Uint8Array;

function grown<A extends NumberArray>(a: A, size: number): A {
  const b = new (a.constructor as new (n: number) => A)(size);
  b.set(a);
  return b;
}

/**
 * Builds a day's columns record by record, so a reader never holds a million records at once.
 * `add` appends a record as it is; `addVersion` keeps one row per contact_id (a builder holds
 * one centre's contacts, as the reader reads them from the centre's prefix), the winner of
 * kpis.md §1 (the greatest last_updated_at, then the later source position: the greater
 * object key, then the later line), exactly as dedupeContacts does, and in the same order:
 * a contact's row is where its id first appeared.
 */
export class ContactColumnsBuilder {
  private n = 0;
  private capacity: number;
  /** Appending only: the contact ids by row (deduplicating, `rows.keys` is that list). */
  private readonly contactId: string[] = [];
  private direction: Uint8Array;
  private outcome: Uint8Array;
  private initiatedAt: Float64Array;
  private queueSeconds: Float64Array;
  private ringSeconds: Float64Array;
  private talkSeconds: Float64Array;
  private holdSeconds: Float64Array;
  private acwSeconds: Float64Array;
  private queue: Int32Array;
  private agent: Int32Array;
  private caller: Int32Array;
  private disposition: Int32Array;
  private teamHint: Int32Array;
  private readonly queues = new Dictionary();
  private readonly agents = new Dictionary();
  private readonly dispositions = new Dictionary();
  private readonly teamHints = new Dictionary();
  private readonly callers: StringIndex;
  /** Deduplicating only: row by contact id, and each row's version and source position. */
  private rows: StringIndex | null = null;
  private lastUpdatedAt = new Float64Array(0);
  private sourceOf = new Int32Array(0);
  private lineOf = new Float64Array(0);
  private readonly sources = new Dictionary();

  /** `expected`: about how many records will be added (the builder grows past it). */
  constructor(expected = 1024) {
    const size = Math.max(expected, 16);
    this.capacity = size;
    this.direction = new Uint8Array(size);
    this.outcome = new Uint8Array(size);
    this.initiatedAt = new Float64Array(size);
    this.queueSeconds = new Float64Array(size);
    this.ringSeconds = new Float64Array(size);
    this.talkSeconds = new Float64Array(size);
    this.holdSeconds = new Float64Array(size);
    this.acwSeconds = new Float64Array(size);
    this.queue = new Int32Array(size);
    this.agent = new Int32Array(size);
    this.caller = new Int32Array(size);
    this.disposition = new Int32Array(size);
    this.teamHint = new Int32Array(size);
    this.callers = new StringIndex(size);
  }

  /** True when a record of this contact id was added with addVersion. */
  has(contactId: string): boolean {
    return this.rows !== null && this.rows.find(contactId, hashString(contactId)) >= 0;
  }

  /** Appends `c` as a row of its own (a builder either appends or deduplicates, not both). */
  add(c: ContactRecord): void {
    if (this.rows !== null) throw new Error('this builder deduplicates: use addVersion');
    this.append(c);
  }

  private append(c: ContactRecord): void {
    const row = this.n;
    this.ensure(row + 1);
    this.n++;
    if (this.rows === null) this.contactId.push(c.contact_id);
    this.set(row, c);
  }

  /** Adds one version of a contact read at (sourceKey, line); the winning version keeps the row. */
  addVersion(c: ContactRecord, sourceKey: string, line: number): void {
    if (this.rows === null) {
      if (this.n > 0) throw new Error('this builder appends: use add');
      this.rows = new StringIndex(this.capacity);
    }
    const id = c.contact_id;
    const row = this.rows.add(id, hashString(id));
    const source = this.sources.id(sourceKey);
    if (row === this.n) {
      this.append(c);
      this.track(row, c.last_updated_at, source, line);
      return;
    }
    // A repeated contact id: the rule of dedupe.ts decides (objects made only for duplicates).
    const held = {
      source_key: this.sources.values[this.sourceOf[row] as number] as string,
      line: this.lineOf[row] as number,
    };
    if (
      !supersedes({ source_key: sourceKey, line }, c.last_updated_at, held, this.lastUpdatedAt[row] as number)
    )
      return;
    this.set(row, c);
    this.track(row, c.last_updated_at, source, line);
  }

  build(): ContactColumns {
    const n = this.n;
    return {
      layout: 'columns',
      length: n,
      contactId: this.rows === null ? this.contactId : this.rows.keys,
      direction: this.direction.subarray(0, n),
      outcome: this.outcome.subarray(0, n),
      initiatedAt: this.initiatedAt.subarray(0, n),
      queueSeconds: this.queueSeconds.subarray(0, n),
      ringSeconds: this.ringSeconds.subarray(0, n),
      talkSeconds: this.talkSeconds.subarray(0, n),
      holdSeconds: this.holdSeconds.subarray(0, n),
      acwSeconds: this.acwSeconds.subarray(0, n),
      queue: this.queue.subarray(0, n),
      queues: this.queues.values,
      agent: this.agent.subarray(0, n),
      agents: this.agents.values,
      caller: this.caller.subarray(0, n),
      callers: this.callers.size,
      disposition: this.disposition.subarray(0, n),
      dispositions: this.dispositions.values,
      teamHint: this.teamHint.subarray(0, n),
      teamHints: this.teamHints.values,
    };
  }

  private set(row: number, c: ContactRecord): void {
    this.direction[row] = directionCode(c.direction);
    this.outcome[row] = outcomeCode(c.outcome);
    this.initiatedAt[row] = c.initiated_at;
    this.queueSeconds[row] = c.queue_seconds;
    this.ringSeconds[row] = c.ring_seconds;
    this.talkSeconds[row] = c.talk_seconds;
    this.holdSeconds[row] = c.hold_seconds;
    this.acwSeconds[row] = c.acw_seconds;
    this.queue[row] = this.queues.id(c.queue);
    this.agent[row] = this.agents.id(c.agent_id);
    const token = c.caller_token;
    this.caller[row] = token === '' ? NONE : this.callers.add(token, hashString(token));
    this.disposition[row] = this.dispositions.id(c.disposition);
    this.teamHint[row] = this.teamHints.id(c.team_hint);
  }

  private track(row: number, lastUpdatedAt: number, source: number, line: number): void {
    if (row >= this.lastUpdatedAt.length) {
      const size = Math.max(this.capacity, 16);
      this.lastUpdatedAt = grown(this.lastUpdatedAt, size);
      this.sourceOf = grown(this.sourceOf, size);
      this.lineOf = grown(this.lineOf, size);
    }
    this.lastUpdatedAt[row] = lastUpdatedAt;
    this.sourceOf[row] = source;
    this.lineOf[row] = line;
  }

  private ensure(size: number): void {
    if (size <= this.capacity) return;
    const next = Math.max(size, this.capacity * 2);
    this.capacity = next;
    this.direction = grown(this.direction, next);
    this.outcome = grown(this.outcome, next);
    this.initiatedAt = grown(this.initiatedAt, next);
    this.queueSeconds = grown(this.queueSeconds, next);
    this.ringSeconds = grown(this.ringSeconds, next);
    this.talkSeconds = grown(this.talkSeconds, next);
    this.holdSeconds = grown(this.holdSeconds, next);
    this.acwSeconds = grown(this.acwSeconds, next);
    this.queue = grown(this.queue, next);
    this.agent = grown(this.agent, next);
    this.caller = grown(this.caller, next);
    this.disposition = grown(this.disposition, next);
    this.teamHint = grown(this.teamHint, next);
  }
}

/** The columns of `records`, one row each, in their order. */
export function toContactColumns(records: readonly ContactRecord[]): ContactColumns {
  const builder = new ContactColumnsBuilder(records.length);
  for (const c of records) builder.add(c);
  return builder.build();
}

/** `contacts` as columns (already columns: as they are). */
export function contactColumns(contacts: readonly ContactRecord[] | ContactColumns): ContactColumns {
  return 'layout' in contacts ? contacts : toContactColumns(contacts);
}
