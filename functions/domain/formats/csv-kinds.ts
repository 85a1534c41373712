/**
 * The CSV formats by name, and the header sniffing the orchestrator uses to tell a canonical
 * CSV apart from the other CDR formats.
 */
import { agentStatesCsvParser } from './agent-states-csv.js';
import { canonicalCsvParser } from './canonical-csv.js';
import { createCsvReader, type Delimiter } from './csv.js';
import { qaCsvParser } from './qa-csv.js';
import { rosterCsvParser } from './roster-csv.js';
import { surveyCsvParser } from './survey-csv.js';
import type { ExportFormat, ParserFactory } from './types.js';

export type CsvFormat = Extract<
  ExportFormat,
  'canonical-csv' | 'survey-csv' | 'qa-csv' | 'roster-csv' | 'agent-states-csv'
>;

export const CSV_PARSERS: Readonly<Record<CsvFormat, ParserFactory>> = {
  'canonical-csv': canonicalCsvParser,
  'survey-csv': surveyCsvParser,
  'qa-csv': qaCsvParser,
  'roster-csv': rosterCsvParser,
  'agent-states-csv': agentStatesCsvParser,
};

export interface CsvHeader {
  delimiter: Delimiter;
  /** Trimmed, lower-cased; [] when the text holds no complete header row. */
  columns: string[];
}

/**
 * The delimiter and column names of a CSV header, read exactly as the parsers read it (BOM,
 * quoting, delimiter choice). `firstLine` is the first line of the text, or any longer prefix.
 */
export function sniffCsvHeader(firstLine: string): CsvHeader {
  const header: CsvHeader = { delimiter: ',', columns: [] };
  const reader = createCsvReader({
    onHeader(columns, delimiter) {
      header.columns = columns;
      header.delimiter = delimiter;
    },
    onRow() {},
  });
  // No end(): a prefix may stop inside a later row; a terminated header row is all that is needed.
  reader.write(firstLine.endsWith('\n') ? firstLine : `${firstLine}\n`);
  return header;
}

/** A canonical CSV names the canonical record's key columns (interfaces.md §2 "CDR formats" 1). */
export function isCanonicalCsvHeader(columns: readonly string[]): boolean {
  return columns.includes('contact_id') && columns.includes('direction');
}
