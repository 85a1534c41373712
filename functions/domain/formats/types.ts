/**
 * The contract between the ingest orchestrator and the format parsers. Parsers are pure:
 * they receive decoded text in chunks and report each row to a sink, either as an accepted
 * canonical record or as a quarantined row with its line number and reason. A bad row is
 * data, not an exception; only a file that cannot be read at all throws RejectedFileError.
 */
import type { RecordKind, RecordOfKind } from '../records.js';

export type ExportKind = 'cdr' | 'survey' | 'qa' | 'roster' | 'agent-states' | 'config';
export type ExportFormat =
  | 'canonical-csv'
  | 'connect-ctr'
  | 'asterisk-queue-log'
  | 'survey-csv'
  | 'qa-csv'
  | 'roster-csv'
  | 'agent-states-csv'
  | 'center-config';

export interface ParseContext {
  center: string;
  /** IANA zone: timestamps without an offset are read in it. */
  timezone: string;
  /** Normalises and HMAC-tokenises a raw caller number; '' for none/withheld. Cached per distinct number. */
  tokenizeCaller(raw: string): string;
  /** Epoch ms "now": timestamps more than one day later are quarantined. */
  now: number;
}

export interface RowSink {
  /**
   * An accepted row. `dedupeKey` identifies rows that repeat within the same object
   * (contact id, evaluation id, survey contact id, roster agent+effective_from, identical
   * queue_log line); the orchestrator counts repeats as duplicates but keeps them, so the
   * rollup can pick the greatest last_updated_at.
   */
  accept<K extends RecordKind>(kind: K, record: RecordOfKind[K], line: number, dedupeKey?: string): void;
  /** A row that cannot be used, with its 1-based line/record number and the reason. `row` must not carry a raw phone number. */
  quarantine(line: number, reason: string, row: Record<string, string> | string): void;
  /**
   * A row that is readable but carries nothing for the KPIs (e.g. a QUEUESTART line): it
   * counts as accepted and stores nothing.
   */
  acceptWithoutRecord(line: number): void;
}

export interface RecordParser {
  /** Feed the next piece of decoded text (any split, even mid-line or mid-character-sequence of the text). */
  write(text: string): void;
  /** End of input: flush the last row. */
  end(): void;
}

export type ParserFactory = (ctx: ParseContext, sink: RowSink) => RecordParser;

/** The object as a whole cannot be read (wrong format, missing required column, …). */
export class RejectedFileError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RejectedFileError';
  }
}
