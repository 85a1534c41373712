import { describe, expect, it } from 'vitest';
import { agentStatesCsvParser } from '../../functions/domain/formats/agent-states-csv.js';
import {
  CSV_PARSERS,
  isCanonicalCsvHeader,
  sniffCsvHeader,
} from '../../functions/domain/formats/csv-kinds.js';
import { qaCsvParser } from '../../functions/domain/formats/qa-csv.js';
import { rosterCsvParser } from '../../functions/domain/formats/roster-csv.js';
import { surveyCsvParser } from '../../functions/domain/formats/survey-csv.js';
import {
  type ParseContext,
  type ParserFactory,
  RejectedFileError,
  type RowSink,
} from '../../functions/domain/formats/types.js';

const NOW = Date.UTC(2026, 10, 23, 0, 0, 0);
const ctx: ParseContext = {
  center: 'north',
  timezone: 'Asia/Shanghai',
  now: NOW,
  tokenizeCaller: () => {
    throw new Error('these kinds carry no caller');
  },
};

interface Parsed {
  accepted: Array<{ kind: string; record: unknown; line: number; dedupeKey: string | undefined }>;
  quarantined: Array<{ line: number; reason: string; row: Record<string, string> | string }>;
}

function parse(factory: ParserFactory, text: string): Parsed {
  const out: Parsed = { accepted: [], quarantined: [] };
  const sink: RowSink = {
    accept(kind, record, line, dedupeKey) {
      out.accepted.push({ kind, record, line, dedupeKey });
    },
    quarantine(line, reason, row) {
      out.quarantined.push({ line, reason, row });
    },
    acceptWithoutRecord() {
      throw new Error('a CSV row is never accepted without a record');
    },
  };
  const parser = factory(ctx, sink);
  // Pieces of 5 characters: every parser must cope with rows split anywhere.
  for (let i = 0; i < text.length; i += 5) parser.write(text.slice(i, i + 5));
  parser.end();
  return out;
}

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

describe('surveyCsvParser', () => {
  const header = 'contact_id,responded_at,score,complaint,agent_id,queue,comment';

  it('turns a row into a survey response without its comment', () => {
    const parsed = parse(
      surveyCsvParser,
      lines(
        header,
        'c-1,2026-11-22 10:00:00,4,no,a7,billing,"Call me on 13800138000, the agent was ""great"""',
      ),
    );
    expect(parsed.accepted).toEqual([
      {
        kind: 'surveys',
        line: 2,
        dedupeKey: 'c-1',
        record: {
          contact_id: 'c-1',
          responded_at: Date.UTC(2026, 10, 22, 2, 0, 0),
          score: 4,
          complaint: false,
          agent_id: 'a7',
          queue: 'billing',
        },
      },
    ]);
    expect(JSON.stringify(parsed)).not.toContain('13800138000');
  });

  it('reads complaint flags in any spelling, empty meaning no complaint', () => {
    const parsed = parse(
      surveyCsvParser,
      lines(
        'contact_id,responded_at,score,complaint',
        'c-1,2026-11-22 10:00,1,YES',
        'c-2,2026-11-22 10:00,1,1',
        'c-3,2026-11-22 10:00,5,',
        'c-4,2026-11-22 10:00,5,False',
      ),
    );
    expect(parsed.accepted.map((a) => (a.record as { complaint: boolean }).complaint)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('accepts a response date without a time, as local midnight', () => {
    const parsed = parse(surveyCsvParser, lines('contact_id,responded_at,score', 'c-1,2026-11-22,3'));
    expect(parsed.accepted.map((a) => (a.record as { responded_at: number }).responded_at)).toEqual([
      Date.UTC(2026, 10, 21, 16, 0, 0),
    ]);
  });

  it('quarantines scores that are not an integer 1–5, and never keeps the comment', () => {
    const parsed = parse(
      surveyCsvParser,
      lines(
        header,
        'c-1,2026-11-22 10:00:00,7,,,,"my number is 13800138000"',
        'c-2,2026-11-22 10:00:00,3.5,,,,fine',
        'c-3,2026-11-22 10:00:00,0,,,,fine',
        'c-4,2026-11-22 10:00:00,-2,,,,fine',
        'c-5,2026-11-22 10:00:00,good,,,,fine',
        'c-6,2026-11-22 10:00:00,,,,,fine',
        'c-7,2026-11-22 10:00:00,5,maybe,,,fine',
        ',2026-11-22 10:00:00,5,,,,fine',
        'c-9,2026-11-25 10:00:00,5,,,,fine',
        'c-10,,5,,,,fine',
      ),
    );
    expect(parsed.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [2, 'score not an integer 1–5: 7'],
      [3, 'score not an integer 1–5: 3.5'],
      [4, 'score not an integer 1–5: 0'],
      [5, 'score not an integer 1–5: -2'],
      [6, 'non-numeric score: good'],
      [7, 'missing score'],
      [8, 'complaint not a boolean: maybe'],
      [9, 'missing contact_id'],
      [10, 'responded_at more than one day in the future: 2026-11-25 10:00:00'],
      [11, 'missing responded_at'],
    ]);
    expect(parsed.quarantined[0]?.row).toEqual({
      contact_id: 'c-1',
      responded_at: '2026-11-22 10:00:00',
      score: '7',
      complaint: '',
      agent_id: '',
      queue: '',
    });
    expect(JSON.stringify(parsed.quarantined)).not.toMatch(/13800138000|fine/);
  });

  it('rejects a file without a required column, naming it', () => {
    expect(() => parse(surveyCsvParser, lines('contact_id,responded_at,comment'))).toThrow(RejectedFileError);
    expect(() => parse(surveyCsvParser, lines('contact_id,responded_at,comment'))).toThrow(
      'missing required column: score',
    );
  });
});

describe('qaCsvParser', () => {
  const header = 'evaluation_id,contact_id,agent_id,evaluated_at,score,fatal,form';

  it('turns a row into a QA evaluation keyed by its evaluation id', () => {
    const parsed = parse(qaCsvParser, lines(header, 'e-1,c-1,a7,2026-11-22T09:00:00+08:00,87.5,No,standard'));
    expect(parsed.accepted).toEqual([
      {
        kind: 'qa',
        line: 2,
        dedupeKey: 'e-1',
        record: {
          evaluation_id: 'e-1',
          contact_id: 'c-1',
          agent_id: 'a7',
          evaluated_at: Date.UTC(2026, 10, 22, 1, 0, 0),
          score: 87.5,
          fatal: false,
          form: 'standard',
        },
      },
    ]);
  });

  it('defaults fatal to false when the column is absent', () => {
    const parsed = parse(
      qaCsvParser,
      lines('evaluation_id,contact_id,agent_id,evaluated_at,score', 'e-1,c-1,a7,2026-11-22,100'),
    );
    expect(parsed.accepted[0]?.record).toMatchObject({ fatal: false, form: '', score: 100 });
  });

  it('quarantines scores outside 0–100 and unusable rows', () => {
    const parsed = parse(
      qaCsvParser,
      lines(
        header,
        'e-1,c-1,a7,2026-11-22 09:00,101,,',
        'e-2,c-1,a7,2026-11-22 09:00,-1,,',
        'e-3,c-1,a7,2026-11-22 09:00,ok,,',
        'e-4,c-1,a7,2026-11-22 09:00,50,sometimes,',
        'e-5,c-1,,2026-11-22 09:00,50,,',
        'e-6,c-1,a7,09:00 22/11/2026,50,,',
        ',c-1,a7,2026-11-22 09:00,50,,',
        'e-8,c-1,a7,2026-11-22 09:00,0,TRUE,',
      ),
    );
    expect(parsed.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [2, 'score out of range 0–100: 101'],
      [3, 'score out of range 0–100: -1'],
      [4, 'non-numeric score: ok'],
      [5, 'fatal not a boolean: sometimes'],
      [6, 'missing agent_id'],
      [7, 'unparseable evaluated_at: 09:00 22/11/2026'],
      [8, 'missing evaluation_id'],
    ]);
    expect(parsed.accepted.map((a) => a.record)).toMatchObject([
      { evaluation_id: 'e-8', score: 0, fatal: true },
    ]);
  });

  it('rejects a file without a required column, naming it', () => {
    expect(() => parse(qaCsvParser, lines('evaluation_id,contact_id,evaluated_at,score'))).toThrow(
      'missing required column: agent_id',
    );
  });
});

describe('rosterCsvParser', () => {
  it('turns rows into roster entries keyed by agent and effective date', () => {
    const parsed = parse(
      rosterCsvParser,
      lines(
        'agent_id,team,name,supervisor,email,hire_date,effective_from,extension',
        'a7,B,Li Wei,s1,li.wei@example.com,2024-03-01,,8007',
        'a7,C,Li Wei,s2,li.wei@example.com,2024-03-01,2026-12-01,8007',
      ),
    );
    expect(parsed.accepted).toEqual([
      {
        kind: 'roster',
        line: 2,
        dedupeKey: 'a7|',
        record: {
          agent_id: 'a7',
          team: 'B',
          name: 'Li Wei',
          supervisor: 's1',
          email: 'li.wei@example.com',
          hire_date: '2024-03-01',
          effective_from: '',
        },
      },
      {
        kind: 'roster',
        line: 3,
        // A future effective_from is a planned change, not bad data.
        dedupeKey: 'a7|2026-12-01',
        record: {
          agent_id: 'a7',
          team: 'C',
          name: 'Li Wei',
          supervisor: 's2',
          email: 'li.wei@example.com',
          hire_date: '2024-03-01',
          effective_from: '2026-12-01',
        },
      },
    ]);
  });

  it('quarantines an effective_from that is not a valid YYYY-MM-DD date, and rows without agent or team', () => {
    const parsed = parse(
      rosterCsvParser,
      lines(
        'agent_id,team,effective_from',
        'a1,A,2026-02-30',
        'a2,A,2026/03/01',
        'a3,,2026-03-01',
        ',A,',
        'a5,A,2026-03-01',
      ),
    );
    expect(parsed.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [2, 'effective_from not a YYYY-MM-DD date: 2026-02-30'],
      [3, 'effective_from not a YYYY-MM-DD date: 2026/03/01'],
      [4, 'missing team'],
      [5, 'missing agent_id'],
    ]);
    expect(parsed.accepted.map((a) => a.dedupeKey)).toEqual(['a5|2026-03-01']);
  });

  it('rejects a file without a team column', () => {
    expect(() => parse(rosterCsvParser, lines('agent_id,name', 'a1,Li'))).toThrow(
      'missing required column: team',
    );
  });
});

describe('agentStatesCsvParser', () => {
  it('turns rows into staffed and break intervals, without a dedupe key', () => {
    const parsed = parse(
      agentStatesCsvParser,
      lines(
        'agent_id,state,start,end',
        'a7,staffed,2026-11-22 08:00:00,2026-11-22 17:00:00',
        'a7,Break,2026-11-22T12:00:00+08:00,2026-11-22T12:30:00+08:00',
      ),
    );
    expect(parsed.accepted).toEqual([
      {
        kind: 'agent_states',
        line: 2,
        dedupeKey: undefined,
        record: {
          agent_id: 'a7',
          state: 'staffed',
          start: Date.UTC(2026, 10, 22, 0),
          end: Date.UTC(2026, 10, 22, 9),
        },
      },
      {
        kind: 'agent_states',
        line: 3,
        dedupeKey: undefined,
        record: {
          agent_id: 'a7',
          state: 'break',
          start: Date.UTC(2026, 10, 22, 4),
          end: Date.UTC(2026, 10, 22, 4, 30),
        },
      },
    ]);
  });

  it('quarantines an interval that does not end after it starts, an unknown state or a future end', () => {
    const parsed = parse(
      agentStatesCsvParser,
      lines(
        'agent_id,state,start,end',
        'a7,staffed,2026-11-22 08:00:00,2026-11-22 08:00:00',
        'a7,staffed,2026-11-22 09:00:00,2026-11-22 08:00:00',
        'a7,lunch,2026-11-22 08:00:00,2026-11-22 09:00:00',
        'a7,break,2026-11-22 08:00:00,2026-11-25 09:00:00',
        'a7,break,2026-11-22,2026-11-22 09:00:00',
      ),
    );
    expect(parsed.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [2, 'end not after start: 2026-11-22 08:00:00 – 2026-11-22 08:00:00'],
      [3, 'end not after start: 2026-11-22 09:00:00 – 2026-11-22 08:00:00'],
      [4, 'unknown state: lunch'],
      [5, 'end more than one day in the future: 2026-11-25 09:00:00'],
      [6, 'unparseable start: 2026-11-22'],
    ]);
  });

  it('rejects a file without an end column', () => {
    expect(() => parse(agentStatesCsvParser, lines('agent_id,state,start'))).toThrow(
      'missing required column: end',
    );
  });
});

describe('CSV registry', () => {
  it('names a parser for every CSV format', () => {
    expect(Object.keys(CSV_PARSERS).sort()).toEqual([
      'agent-states-csv',
      'canonical-csv',
      'qa-csv',
      'roster-csv',
      'survey-csv',
    ]);
    expect(CSV_PARSERS['survey-csv']).toBe(surveyCsvParser);
  });

  it('sniffs the delimiter and columns of a header line as the parsers read it', () => {
    expect(sniffCsvHeader('\uFEFF Contact_ID ;Direction;"Initiated;At"\r\n')).toEqual({
      delimiter: ';',
      columns: ['contact_id', 'direction', 'initiated;at'],
    });
    expect(sniffCsvHeader('contact_id\tdirection')).toEqual({
      delimiter: '\t',
      columns: ['contact_id', 'direction'],
    });
    expect(sniffCsvHeader('contact_id,direction\nc-1,"unfinished')).toEqual({
      delimiter: ',',
      columns: ['contact_id', 'direction'],
    });
    expect(sniffCsvHeader('')).toEqual({ delimiter: ',', columns: [] });
  });

  it('recognises a canonical CSV by its contact_id and direction columns', () => {
    expect(isCanonicalCsvHeader(sniffCsvHeader('contact_id,direction,initiated_at,outcome').columns)).toBe(
      true,
    );
    expect(isCanonicalCsvHeader(sniffCsvHeader('contact_id,responded_at,score').columns)).toBe(false);
  });
});
