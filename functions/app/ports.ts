/**
 * Ports: the small interfaces through which the application services reach storage and the
 * outside world. Adapters in functions/adapters implement them against S3, DynamoDB, SQS and
 * SES; the services themselves import no AWS SDK.
 */
import type { CenterConfig, Target } from '../domain/config.js';
import type { DayEvaluation, KpiException } from '../domain/exceptions/model.js';
import type { ExportFormat, ExportKind } from '../domain/formats/types.js';
import type { CuratedGroup } from '../domain/ingest/ingest-object.js';
import type { RecordKind } from '../domain/records.js';

export interface ExportObject {
  key: string;
  /** S3 version id, when the bucket is versioned. */
  versionId: string | undefined;
  /** ETag without quotes. */
  etag: string;
  size: number;
  body: AsyncIterable<Uint8Array>;
  /** Release the body without reading it. */
  discard(): void;
}

export interface ExportSource {
  /** The object as currently stored at the key, or null when it no longer exists. */
  open(bucket: string, key: string): Promise<ExportObject | null>;
  /** Identity of the object currently stored at the key, or null. */
  identity(bucket: string, key: string): Promise<{ versionId: string | undefined; etag: string } | null>;
}

export interface CuratedObjectRef {
  key: string;
  kind: RecordKind;
  date: string | null;
}

export interface CuratedStore {
  /** Write (overwrite) the records one source object contributes to one centre-day. */
  putGroup(
    center: string,
    source: { key: string; version: string },
    group: CuratedGroup,
  ): Promise<CuratedObjectRef>;
  putQuarantine(center: string, source: { key: string; version: string }, body: Buffer): Promise<string>;
  quarantineKey(center: string, sourceKey: string): string;
  delete(keys: string[]): Promise<void>;
  /** Keys of the curated objects of a kind on a centre-day (date null: the roster). */
  list(center: string, kind: RecordKind, date: string | null): Promise<string[]>;
  /**
   * Visits the records of a curated object one by one, in order, with the key of the export
   * they came from, without holding them all.
   */
  scan<T>(
    key: string,
    visit: (record: T & { source_line: number }, sourceKey: string) => void,
  ): Promise<void>;
}

export type LedgerStatus = 'processing' | 'processed' | 'rejected' | 'superseded';

/** One ingestion ledger entry: per object version (interfaces.md §2 "Rows and the ledger"). */
export interface LedgerEntry {
  center: string;
  key: string;
  version: string;
  etag: string;
  size: number;
  kind: ExportKind | null;
  format: ExportFormat | null;
  encoding: string | null;
  status: LedgerStatus;
  rows_read: number;
  rows_accepted: number;
  rows_quarantined: number;
  rows_duplicate: number;
  days: string[];
  reason: string;
  quarantine_key: string | null;
  quarantine_reasons: Record<string, number>;
  received_at: string;
  /** Local date (centre time zone) on which the object was received. */
  received_day: string;
  processed_at: string | null;
}

/** What the ledger remembers of a key: the version last ingested and what it wrote. */
export interface KeyPointer {
  version: string;
  status: LedgerStatus;
  /**
   * The last version that was processed: its records are the key's contribution (a rejected
   * version in between leaves them in force), and the next processed version supersedes it.
   * Absent on pointers written before it existed: then `version` if its status is processed.
   */
  processed_version?: string | null;
  /** Curated objects written by the last processed version of the key. */
  curated_keys: string[];
  quarantine_key: string | null;
  /** Days touched by the last processed version. */
  days: string[];
}

export interface LedgerPage {
  items: LedgerEntry[];
  next: string | null;
}

export interface LedgerStore {
  getPointer(center: string, key: string): Promise<KeyPointer | null>;
  setPointer(center: string, key: string, pointer: KeyPointer): Promise<void>;
  /** Write (overwrite) an entry and its day-index items. */
  put(entry: LedgerEntry): Promise<void>;
  markSuperseded(center: string, key: string, version: string): Promise<void>;
  list(center: string, opts: { date?: string; limit: number; next?: string }): Promise<LedgerPage>;
  /** Whole entries of the objects touching a centre-day plus rejected objects received that day. */
  forDay(center: string, date: string): Promise<LedgerEntry[]>;
}

export interface CenterSummary {
  center: string;
  timezone: string;
  last_ingest_at: string | null;
  days: string[];
}

export interface DayState {
  center: string;
  date: string;
  change_token: string;
  changed_at: string;
  computed_token: string | null;
}

export interface CenterStore {
  /** The configuration in force, or null when the centre has none (defaults apply). */
  getConfig(center: string): Promise<{ config: CenterConfig; source_key: string; updated_at: string } | null>;
  putConfig(center: string, config: CenterConfig, sourceKey: string): Promise<void>;
  /** Record that days of a centre changed (new change token per day) and when data last arrived. */
  markDaysChanged(center: string, days: string[], at: Date): Promise<void>;
  getDay(center: string, date: string): Promise<DayState | null>;
  /** Record that the rollup computed a day from the given change token (only if newer). */
  markDayComputed(center: string, date: string, token: string): Promise<void>;
  listCenters(): Promise<CenterSummary[]>;
  /** Days of a centre that have any data, sorted. */
  listDays(center: string): Promise<string[]>;
  /** Record that a day's KPIs reached `kpiVersion` and wait to be evaluated (once complete and settled). */
  markEvaluationPending(center: string, date: string, kpiVersion: number): Promise<void>;
  /** Days of a centre waiting for evaluation, ascending. */
  listPendingEvaluations(center: string): Promise<PendingEvaluation[]>;
  /** Record that `kpiVersion` was evaluated (a newer version that arrived meanwhile stays pending). */
  clearEvaluationPending(center: string, date: string, kpiVersion: number): Promise<void>;
}

export interface PendingEvaluation {
  center: string;
  date: string;
  kpi_version: number;
}

/** "These centre-days changed": the debounced trigger of the rollup. */
export interface DayChangeNotifier {
  notify(center: string, days: string[]): Promise<void>;
}

import type { Scope } from '../domain/kpi/catalog.js';

export type { Scope };

/** One KPI record: a centre-day at one scope and id (kpis.md §2–§3). */
export interface KpiItem {
  scope: Scope;
  id: string;
  metrics: Record<string, number | null>;
}

export interface KpiDayHeader {
  center: string;
  date: string;
  timezone: string;
  /** Bumped whenever the day's KPIs change (a restatement). */
  version: number;
  computed_at: string;
  /** Digest of the items, to tell a real restatement from a recomputation that changed nothing. */
  digest: string;
  /** Change token of the centre-day the KPIs were computed from. */
  token: string;
}

export interface KpiStore {
  getHeader(center: string, date: string): Promise<KpiDayHeader | null>;
  /** Items of a day, optionally one scope and id. */
  getItems(center: string, date: string, scope?: Scope, id?: string): Promise<KpiItem[]>;
  /**
   * Replace a day's KPIs as a whole: items absent from `items` are deleted. Returns the
   * stored header (version unchanged when the content did not change).
   */
  putDay(
    header: Omit<KpiDayHeader, 'version'>,
    items: KpiItem[],
  ): Promise<{ header: KpiDayHeader; changed: boolean }>;
  /** Dates that have KPIs for a centre, descending. */
  dates(center: string, opts?: { from?: string; to?: string }): Promise<string[]>;
  /** One scope+id across a date range, ascending. */
  series(
    center: string,
    scope: Scope,
    id: string,
    from: string,
    to: string,
  ): Promise<Array<{ date: string; item: KpiItem; version: number; computed_at: string }>>;
}

/** Stored evaluations and exceptions per centre-day (exceptions.md §3). */
export interface ExceptionStore {
  /** Replace a day's evaluation as a whole (exceptions absent from it are deleted). */
  putDay(evaluation: DayEvaluation): Promise<void>;
  getDay(center: string, date: string): Promise<DayEvaluation | null>;
  /** Exceptions of a date range (ascending by date, then scope, id, metric), paginated. */
  listExceptions(
    center: string,
    from: string,
    to: string,
    opts: { limit: number; next?: string },
  ): Promise<{ items: KpiException[]; next: string | null }>;
}

export type SendKind = 'original' | 'restated' | 'nothing';

/** One entry of the send-once ledger: per centre-day, recipient and sequence number. */
export interface SendRecord {
  center: string;
  date: string;
  recipient: string;
  /** 0 for the first report of the day, then 1, 2, … for restatements. */
  seq: number;
  kind: SendKind;
  /** What the recipient was told (reportFingerprint entries), to detect a restatement. */
  fingerprint: string[];
  /** `nothing`: recorded, not sent (no exception in the recipient's scopes). */
  status: 'sending' | 'sent' | 'nothing';
  subject: string | null;
  message_id: string | null;
  claimed_at: string;
  sent_at: string | null;
}

export interface SendLedger {
  /** Entries of one recipient for one centre-day, ascending by seq. */
  history(center: string, date: string, recipient: string): Promise<SendRecord[]>;
  /** Whether the report of a centre-day ever ran (an entry for any recipient). */
  reported(center: string, date: string): Promise<boolean>;
  /** Conditional write: true when this call created the entry, false when it already existed. */
  claim(record: SendRecord): Promise<boolean>;
  markSent(record: SendRecord, messageId: string, at: string): Promise<void>;
  /** Remove a claim whose send definitely failed, so a retry may send it. */
  release(record: SendRecord): Promise<void>;
}

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  /** The whole MIME message. */
  raw: Buffer;
  /** A readable, file-safe name for the message, e.g. `2026-11-22_demo_lead@example.com_0`. */
  name: string;
}

export interface Mailer {
  /** Send one message; resolves to the provider's message id. */
  send(email: OutgoingEmail): Promise<string>;
}

export interface TrendChart {
  metric: string;
  target: Target;
  points: Array<{ date: string; value: number | null }>;
}

export interface ChartRenderer {
  /** A PNG of a metric's daily values against its target. */
  trendPng(chart: TrendChart): Promise<Buffer>;
}
