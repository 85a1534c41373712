/**
 * Agent roster (interfaces.md §2 "Other record kinds"): each row is one assignment of an agent
 * to a team from `effective_from` (YYYY-MM-DD; empty = all days). A repeated
 * (agent_id, effective_from) is a duplicate; the later row wins at rollup. A future
 * effective_from is a planned change, not bad data, so the one-day-ahead rule does not apply.
 */
import type { RosterEntry } from '../records.js';
import { isValidDate } from '../time.js';
import { cell, createKindCsvParser, pickColumns } from './csv.js';
import type { ParserFactory } from './types.js';

const COLUMNS = ['agent_id', 'team', 'name', 'supervisor', 'email', 'hire_date', 'effective_from'] as const;
const REQUIRED = ['agent_id', 'team'] as const;

export const rosterCsvParser: ParserFactory = (_ctx, sink) =>
  createKindCsvParser(COLUMNS, REQUIRED, (col) => {
    /** The entry of a row, or the reason to quarantine it. */
    const toEntry = (f: string[]): RosterEntry | string => {
      const agentId = cell(f, col.agent_id).trim();
      if (agentId === '') return 'missing agent_id';
      const team = cell(f, col.team).trim();
      if (team === '') return 'missing team';
      const effectiveFrom = cell(f, col.effective_from).trim();
      if (effectiveFrom !== '' && !isValidDate(effectiveFrom)) {
        return `effective_from not a YYYY-MM-DD date: ${effectiveFrom}`;
      }
      return {
        agent_id: agentId,
        team,
        name: cell(f, col.name).trim(),
        supervisor: cell(f, col.supervisor).trim(),
        email: cell(f, col.email).trim(),
        hire_date: cell(f, col.hire_date).trim(),
        effective_from: effectiveFrom,
      };
    };

    return (f, line) => {
      const entry = toEntry(f);
      if (typeof entry === 'string') sink.quarantine(line, entry, pickColumns(f, col, COLUMNS));
      else sink.accept('roster', entry, line, `${entry.agent_id}|${entry.effective_from}`);
    };
  });
