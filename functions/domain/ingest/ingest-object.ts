/**
 * Ingest one export object: decode, detect the format, parse, validate, count, split by
 * centre-day. Pure with respect to storage: it returns the curated groups and the ledger
 * counts; the handler writes them. A bad row is quarantined and counted; only an object that
 * cannot be read at all is rejected, with the reason.
 */

import { type CenterConfig, CenterConfigSchema } from '../config.js';
import { redactPhoneNumbers } from '../formats/redact.js';
import type { ExportFormat, ExportKind, ParseContext, ParserFactory, RowSink } from '../formats/types.js';
import { RejectedFileError } from '../formats/types.js';
import type { AgentStateInterval, ContactRecord, RecordKind, RecordOfKind } from '../records.js';
import { addDays, localDayBounds, localParts } from '../time.js';
import { Compressor, GzipNdjsonBuffer } from './curated-buffer.js';
import { contactLineBound, genericLine, writeContactLine } from './curated-json.js';
import { decodeObject } from './decode.js';
import { detectFormat } from './detect-format.js';
import { SeenKeys } from './seen-keys.js';

export type ParserRegistry = Record<Exclude<ExportFormat, 'center-config'>, ParserFactory>;

/** Records of one kind on one centre-day (date null for the roster, which is not per day). */
export interface CuratedGroup {
  kind: RecordKind;
  date: string | null;
  records: number;
  /** gzip-compressed NDJSON; each record carries `source_line`. */
  body: Buffer;
}

export interface QuarantinedRow {
  line: number;
  reason: string;
  row: Record<string, string> | string;
}

export interface IngestResult {
  kind: ExportKind;
  format: ExportFormat | null;
  status: 'processed' | 'rejected';
  /** Why the object was rejected, or a summary of what was quarantined. */
  reason: string;
  encoding: string | null;
  gzip: boolean;
  rows_read: number;
  rows_accepted: number;
  rows_quarantined: number;
  rows_duplicate: number;
  /** Centre-days the object's records touch, sorted. */
  days: string[];
  groups: CuratedGroup[];
  /** gzip NDJSON of QuarantinedRow, or null when no row was quarantined. */
  quarantine: { rows: number; body: Buffer } | null;
  /** Count of quarantined rows per reason (the reason text up to its first colon), largest first. */
  quarantine_reasons: Record<string, number>;
  /** The validated document, for config objects. */
  config?: CenterConfig;
}

export interface IngestInput {
  kind: ExportKind;
  body: AsyncIterable<Uint8Array>;
  ctx: ParseContext;
  parsers: ParserRegistry;
}

function emptyResult(kind: ExportKind): IngestResult {
  return {
    kind,
    format: null,
    status: 'rejected',
    reason: '',
    encoding: null,
    gzip: false,
    rows_read: 0,
    rows_accepted: 0,
    rows_quarantined: 0,
    rows_duplicate: 0,
    days: [],
    groups: [],
    quarantine: null,
    quarantine_reasons: {},
  };
}

/** The pieces of an interval on each local day it spans (interfaces.md §2: clipped to each local day). */
export function splitByLocalDay(
  interval: AgentStateInterval,
  timeZone: string,
): Array<[string, AgentStateInterval]> {
  const out: Array<[string, AgentStateInterval]> = [];
  let date = localParts(interval.start, timeZone).date;
  for (let guard = 0; guard < 400; guard++) {
    const { start, end } = localDayBounds(date, timeZone);
    const s = Math.max(start, interval.start);
    const e = Math.min(end, interval.end);
    if (s < e) out.push([date, { ...interval, start: s, end: e }]);
    if (end >= interval.end) break;
    date = addDays(date, 1);
  }
  return out;
}

function dayOf(kind: RecordKind, record: RecordOfKind[RecordKind], timeZone: string): string | null {
  switch (kind) {
    case 'contacts':
      return localParts((record as RecordOfKind['contacts']).initiated_at, timeZone).date;
    case 'surveys':
      return localParts((record as RecordOfKind['surveys']).responded_at, timeZone).date;
    case 'qa':
      return localParts((record as RecordOfKind['qa']).evaluated_at, timeZone).date;
    case 'queue_events':
      return localParts((record as RecordOfKind['queue_events']).at, timeZone).date;
    case 'roster':
      return null;
    case 'agent_states':
      throw new Error('agent states are split, not dated');
  }
}

function reasonCategory(reason: string): string {
  const i = reason.indexOf(':');
  return (i > 0 ? reason.slice(0, i) : reason).slice(0, 120);
}

async function ingestConfig(result: IngestResult, chunks: AsyncIterable<string>): Promise<IngestResult> {
  let text = '';
  for await (const c of chunks) {
    text += c;
    if (text.length > 1_000_000) throw new RejectedFileError('config document larger than 1 MB');
  }
  result.format = 'center-config';
  result.rows_read = 1;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RejectedFileError(`config is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = CenterConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(document)'}: ${i.message}`,
    );
    throw new RejectedFileError(
      `config fails the schema; the previous configuration stays in force: ${issues.join('; ')}`,
    );
  }
  result.rows_accepted = 1;
  result.status = 'processed';
  result.config = parsed.data;
  return result;
}

export async function ingestObject(input: IngestInput): Promise<IngestResult> {
  const result = emptyResult(input.kind);
  try {
    const decoded = await decodeObject(input.body);
    result.encoding = decoded.encoding;
    result.gzip = decoded.gzip;
    if (input.kind === 'config') return await ingestConfig(result, decoded.chunks);
    return await ingestRows(result, input.kind, decoded.chunks, input);
  } catch (e) {
    if (!(e instanceof RejectedFileError)) throw e;
    const rejected = emptyResult(input.kind);
    rejected.format = result.format;
    rejected.encoding = result.encoding;
    rejected.gzip = result.gzip;
    rejected.reason = e.message;
    return rejected;
  }
}

async function ingestRows(
  result: IngestResult,
  kind: Exclude<ExportKind, 'config'>,
  chunks: AsyncIterable<string>,
  input: IngestInput,
): Promise<IngestResult> {
  const { ctx } = input;
  const compressor = new Compressor();
  const groups = new Map<string, { kind: RecordKind; date: string | null; buf: GzipNdjsonBuffer }>();
  const quarantine = new GzipNdjsonBuffer(compressor);
  const reasons = new Map<string, number>();
  const seen = new Map<RecordKind, SeenKeys>();
  const days = new Set<string>();
  // Rows of a file mostly fall on the same day: the last group answers without a lookup.
  let lastKind: RecordKind | undefined;
  let lastDate: string | null = null;
  let lastBuf: GzipNdjsonBuffer | undefined;

  const groupFor = (k: RecordKind, date: string | null): GzipNdjsonBuffer => {
    if (k === lastKind && date === lastDate && lastBuf !== undefined) return lastBuf;
    const id = `${k}|${date ?? ''}`;
    let g = groups.get(id);
    if (!g) {
      g = { kind: k, date, buf: new GzipNdjsonBuffer(compressor) };
      groups.set(id, g);
    }
    if (date !== null) days.add(date);
    lastKind = k;
    lastDate = date;
    lastBuf = g.buf;
    return g.buf;
  };

  const sink: RowSink = {
    accept(k, record, line, dedupeKey) {
      result.rows_read++;
      if (dedupeKey !== undefined) {
        let keys = seen.get(k);
        if (keys === undefined) {
          keys = new SeenKeys();
          seen.set(k, keys);
        }
        if (keys.add(dedupeKey)) result.rows_accepted++;
        else result.rows_duplicate++;
      } else result.rows_accepted++;
      // Duplicates are stored too: the rollup keeps the greatest last_updated_at (kpis.md §1).
      if (k === 'contacts') {
        // Written as bytes straight into the group's buffer (no JSON.stringify, no line string).
        const contact = record as ContactRecord;
        const out = groupFor(k, localParts(contact.initiated_at, ctx.timezone).date);
        const buf = out.reserve(contactLineBound(contact));
        out.commit(writeContactLine(buf, out.offset, contact, line));
      } else if (k === 'agent_states') {
        for (const [date, piece] of splitByLocalDay(record as AgentStateInterval, ctx.timezone)) {
          groupFor(k, date).push(genericLine(piece, line));
        }
      } else {
        groupFor(k, dayOf(k, record, ctx.timezone)).push(genericLine(record, line));
      }
    },
    quarantine(line, rawReason, rawRow) {
      result.rows_read++;
      result.rows_quarantined++;
      // A bad row is where a number lands in the wrong column (a missing field shifts the caller
      // into agent_id) or is quoted in the reason: every phone-like run is tokenised here, for
      // every format, before anything is kept (architecture.md rule 8).
      const reason = redactPhoneNumbers(rawReason, ctx);
      const row =
        typeof rawRow === 'string'
          ? redactPhoneNumbers(rawRow, ctx)
          : Object.fromEntries(Object.entries(rawRow).map(([k, v]) => [k, redactPhoneNumbers(v, ctx)]));
      const cat = reasonCategory(reason);
      reasons.set(cat, (reasons.get(cat) ?? 0) + 1);
      quarantine.push(JSON.stringify({ line, reason, row } satisfies QuarantinedRow));
    },
    acceptWithoutRecord() {
      result.rows_read++;
      result.rows_accepted++;
    },
  };

  let parser: ReturnType<ParserFactory> | undefined;
  for await (const text of chunks) {
    if (!parser) {
      result.format = detectFormat(kind, text);
      parser = input.parsers[result.format as Exclude<ExportFormat, 'center-config'>](ctx, sink);
    }
    parser.write(text);
    // Compression runs on the thread pool; read on only when it has caught up (bounded memory).
    const caughtUp = compressor.ready();
    if (caughtUp) await caughtUp;
  }
  if (!parser) throw new RejectedFileError('empty object: no text');
  parser.end();

  result.status = 'processed';
  result.days = [...days].sort();
  const bodies = await Promise.all([...groups.values()].map((g) => g.buf.finish()));
  result.groups = [...groups.values()]
    .map((g, i) => ({ kind: g.kind, date: g.date, records: g.buf.count, body: bodies[i] as Buffer }))
    .sort((a, b) => `${a.kind}|${a.date}`.localeCompare(`${b.kind}|${b.date}`));
  if (result.rows_quarantined > 0)
    result.quarantine = { rows: result.rows_quarantined, body: await quarantine.finish() };
  result.quarantine_reasons = Object.fromEntries(
    [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20),
  );
  if (result.rows_read === 0) result.reason = 'no data rows (header only)';
  else if (result.rows_quarantined > 0) {
    const top = Object.entries(result.quarantine_reasons)
      .slice(0, 3)
      .map(([r, n]) => `${n} × ${r}`)
      .join('; ');
    result.reason = `${result.rows_quarantined} of ${result.rows_read} rows quarantined (${top})`;
  }
  return result;
}
