/**
 * The format of an object, from its content (interfaces.md §1: never trusted from the extension).
 */
import type { ExportFormat, ExportKind } from '../formats/types.js';
import { RejectedFileError } from '../formats/types.js';

const QUEUE_LOG_LINE = /^\d{9,11}(\.\d+)?\|[^|\r\n]*\|[^|\r\n]*\|[^|\r\n]*\|[A-Z_]+/;

function firstLine(text: string): string {
  const t = text.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  const nl = t.search(/\r?\n/);
  return nl < 0 ? t : t.slice(0, nl);
}

function csvColumns(line: string): string[] {
  const delim = [',', ';', '\t'].reduce(
    (best, d) => (line.split(d).length > line.split(best).length ? d : best),
    ',',
  );
  return line.split(delim).map((c) => c.trim().replace(/^"|"$/g, '').trim().toLowerCase());
}

/** Decide the format of a non-config object from its first text. */
export function detectFormat(kind: Exclude<ExportKind, 'config'>, head: string): ExportFormat {
  const line = firstLine(head);
  if (line === '') throw new RejectedFileError('no data: the object holds only blank text');
  if (kind === 'cdr') {
    if (line.startsWith('{')) return 'connect-ctr';
    if (QUEUE_LOG_LINE.test(line)) return 'asterisk-queue-log';
    const cols = csvColumns(line);
    if (cols.includes('contact_id') || cols.includes('direction')) return 'canonical-csv';
    throw new RejectedFileError(
      'unrecognised CDR format: the first line is neither a canonical CSV header (contact_id, direction, …), an Amazon Connect contact record (JSON) nor an Asterisk queue_log line',
    );
  }
  if (line.startsWith('{') || line.startsWith('[')) {
    throw new RejectedFileError(
      `unsupported format for ${kind}/: expected a CSV file with a header row, found JSON`,
    );
  }
  const formats: Record<Exclude<ExportKind, 'config' | 'cdr'>, ExportFormat> = {
    survey: 'survey-csv',
    qa: 'qa-csv',
    roster: 'roster-csv',
    'agent-states': 'agent-states-csv',
  };
  return formats[kind];
}
