/**
 * Agent state intervals (interfaces.md §2 "Other record kinds"): staffed or on break from
 * `start` to `end`. Intervals have no identity, so there is no dedupe key; the orchestrator
 * clips them to local days.
 */
import type { AgentState, AgentStateInterval } from '../records.js';
import { DAY_MS } from '../time.js';
import { cell, createKindCsvParser, pickColumns } from './csv.js';
import { readTimestampCell } from './timestamps.js';
import type { ParserFactory } from './types.js';

const COLUMNS = ['agent_id', 'state', 'start', 'end'] as const;

const STATES = new Map<string, AgentState>([
  ['staffed', 'staffed'],
  ['break', 'break'],
]);

export const agentStatesCsvParser: ParserFactory = (ctx, sink) =>
  createKindCsvParser(COLUMNS, COLUMNS, (col) => {
    const latest = ctx.now + DAY_MS;

    /** The interval of a row, or the reason to quarantine it. */
    const toInterval = (f: string[]): AgentStateInterval | string => {
      const agentId = cell(f, col.agent_id).trim();
      if (agentId === '') return 'missing agent_id';
      const stateText = cell(f, col.state);
      const state = STATES.get(stateText.trim().toLowerCase());
      if (state === undefined)
        return stateText.trim() === '' ? 'missing state' : `unknown state: ${stateText}`;
      const start = readTimestampCell(cell(f, col.start), 'start', ctx.timezone, latest);
      if (start === undefined) return 'missing start';
      if (typeof start === 'string') return start;
      const end = readTimestampCell(cell(f, col.end), 'end', ctx.timezone, latest);
      if (end === undefined) return 'missing end';
      if (typeof end === 'string') return end;
      if (end <= start) return `end not after start: ${cell(f, col.start)} – ${cell(f, col.end)}`;
      return { agent_id: agentId, state, start, end };
    };

    return (f, line) => {
      const interval = toInterval(f);
      if (typeof interval === 'string') sink.quarantine(line, interval, pickColumns(f, col, COLUMNS));
      else sink.accept('agent_states', interval, line);
    };
  });
