/** Every supported export format and its parser. */
import type { ParserRegistry } from '../ingest/ingest-object.js';
import { canonicalCsvParser } from './canonical-csv.js';
import { connectCtrParser } from './connect-ctr.js';
import { CSV_PARSERS } from './csv-kinds.js';
import { queueLogParser } from './queue-log.js';

export const PARSERS: ParserRegistry = {
  'canonical-csv': canonicalCsvParser,
  'connect-ctr': connectCtrParser,
  'asterisk-queue-log': queueLogParser,
  'survey-csv': CSV_PARSERS['survey-csv'],
  'qa-csv': CSV_PARSERS['qa-csv'],
  'roster-csv': CSV_PARSERS['roster-csv'],
  'agent-states-csv': CSV_PARSERS['agent-states-csv'],
};
