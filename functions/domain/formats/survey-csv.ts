/**
 * Post-contact survey responses (interfaces.md §2 "Other record kinds"): one per contact, so
 * the contact id is the dedupe key. A `comment` column is never read: free text is not stored
 * anywhere, not even in a quarantined row.
 */
import type { SurveyResponse } from '../records.js';
import { DAY_MS } from '../time.js';
import { cell, createKindCsvParser, pickColumns } from './csv.js';
import { parseBoolean, parseNonNegativeNumber, readTimestampCell } from './timestamps.js';
import type { ParserFactory } from './types.js';

const COLUMNS = ['contact_id', 'responded_at', 'score', 'complaint', 'agent_id', 'queue'] as const;
const REQUIRED = ['contact_id', 'responded_at', 'score'] as const;

export const surveyCsvParser: ParserFactory = (ctx, sink) =>
  createKindCsvParser(COLUMNS, REQUIRED, (col) => {
    const latest = ctx.now + DAY_MS;

    /** The response of a row, or the reason to quarantine it. */
    const toResponse = (f: string[]): SurveyResponse | string => {
      const contactId = cell(f, col.contact_id).trim();
      if (contactId === '') return 'missing contact_id';
      // A survey tool may export only the day it received the answer.
      const respondedAt = readTimestampCell(
        cell(f, col.responded_at),
        'responded_at',
        ctx.timezone,
        latest,
        true,
      );
      if (respondedAt === undefined) return 'missing responded_at';
      if (typeof respondedAt === 'string') return respondedAt;
      const scoreText = cell(f, col.score);
      const score = parseNonNegativeNumber(scoreText);
      if (score === 'empty') return 'missing score';
      if (score === 'not a number') return `non-numeric score: ${scoreText}`;
      if (score === 'negative' || !Number.isInteger(score) || score < 1 || score > 5) {
        return `score not an integer 1–5: ${scoreText}`;
      }
      const complaintText = cell(f, col.complaint);
      const complaint = parseBoolean(complaintText, false);
      if (complaint === null) return `complaint not a boolean: ${complaintText}`;
      return {
        contact_id: contactId,
        responded_at: respondedAt,
        score,
        complaint,
        agent_id: cell(f, col.agent_id).trim(),
        queue: cell(f, col.queue).trim(),
      };
    };

    return (f, line) => {
      const response = toResponse(f);
      if (typeof response === 'string') sink.quarantine(line, response, pickColumns(f, col, COLUMNS));
      else sink.accept('surveys', response, line, response.contact_id);
    };
  });
