/**
 * QA evaluations (interfaces.md §2 "Other record kinds"): one per evaluation id, the dedupe
 * key. Every identifying column is required: an evaluation that names no contact or agent
 * cannot be attributed to any scope.
 */
import type { QaEvaluation } from '../records.js';
import { DAY_MS } from '../time.js';
import { cell, createKindCsvParser, pickColumns } from './csv.js';
import { parseBoolean, parseNonNegativeNumber, readTimestampCell } from './timestamps.js';
import type { ParserFactory } from './types.js';

const COLUMNS = [
  'evaluation_id',
  'contact_id',
  'agent_id',
  'evaluated_at',
  'score',
  'fatal',
  'form',
] as const;
const REQUIRED = ['evaluation_id', 'contact_id', 'agent_id', 'evaluated_at', 'score'] as const;

export const qaCsvParser: ParserFactory = (ctx, sink) =>
  createKindCsvParser(COLUMNS, REQUIRED, (col) => {
    const latest = ctx.now + DAY_MS;

    /** The evaluation of a row, or the reason to quarantine it. */
    const toEvaluation = (f: string[]): QaEvaluation | string => {
      const evaluationId = cell(f, col.evaluation_id).trim();
      if (evaluationId === '') return 'missing evaluation_id';
      const contactId = cell(f, col.contact_id).trim();
      if (contactId === '') return 'missing contact_id';
      const agentId = cell(f, col.agent_id).trim();
      if (agentId === '') return 'missing agent_id';
      // Scorecard tools often record only the day of the evaluation.
      const evaluatedAt = readTimestampCell(
        cell(f, col.evaluated_at),
        'evaluated_at',
        ctx.timezone,
        latest,
        true,
      );
      if (evaluatedAt === undefined) return 'missing evaluated_at';
      if (typeof evaluatedAt === 'string') return evaluatedAt;
      const scoreText = cell(f, col.score);
      const score = parseNonNegativeNumber(scoreText);
      if (score === 'empty') return 'missing score';
      if (score === 'not a number') return `non-numeric score: ${scoreText}`;
      if (score === 'negative' || score > 100) return `score out of range 0–100: ${scoreText}`;
      const fatalText = cell(f, col.fatal);
      const fatal = parseBoolean(fatalText, false);
      if (fatal === null) return `fatal not a boolean: ${fatalText}`;
      return {
        evaluation_id: evaluationId,
        contact_id: contactId,
        agent_id: agentId,
        evaluated_at: evaluatedAt,
        score,
        fatal,
        form: cell(f, col.form).trim(),
      };
    };

    return (f, line) => {
      const evaluation = toEvaluation(f);
      if (typeof evaluation === 'string') sink.quarantine(line, evaluation, pickColumns(f, col, COLUMNS));
      else sink.accept('qa', evaluation, line, evaluation.evaluation_id);
    };
  });
