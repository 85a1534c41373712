/**
 * Reads everything one centre-day's KPIs depend on from the curated records and deduplicates
 * it into the engine's DayInput. Shared by the rollup (KPI records) and the evaluation
 * (breakdowns for the drill-down), so both see the same records.
 */
import type { Parameters } from '../domain/config.js';
import { assembleQueueLog } from '../domain/formats/queue-log.js';
import { ContactColumnsBuilder } from '../domain/kpi/contact-columns.js';
import { dedupeQa, dedupeRoster, dedupeSurveys, type Sourced } from '../domain/kpi/dedupe.js';
import type { DayInput } from '../domain/kpi/rollup.js';
import type {
  AgentStateInterval,
  ContactRecord,
  QaEvaluation,
  QueueLogEvent,
  RecordKind,
  RosterEntry,
  SurveyResponse,
} from '../domain/records.js';
import { addDays, localDayBounds } from '../domain/time.js';
import { LATE_RECORD_DAYS } from './ingest-service.js';
import type { CuratedStore } from './ports.js';

/** Rows the contact columns start with (they grow as needed). */
const CONTACTS_EXPECTED = 4096;
/** Source position of calls assembled from queue_log lines (they have no other version). */
const ASSEMBLED_SOURCE = 'queue_log';

export class CuratedDayReader {
  constructor(private readonly curated: CuratedStore) {}

  private async readKind<T>(
    center: string,
    kind: RecordKind,
    date: string | null,
  ): Promise<Array<Sourced<T>>> {
    const out: Array<Sourced<T>> = [];
    for (const key of await this.curated.list(center, kind, date)) {
      await this.curated.scan<T>(key, (r, sourceKey) => {
        const { source_line, ...record } = r;
        out.push({ record: record as T, source_key: sourceKey, line: source_line });
      });
    }
    return out;
  }

  private async readDays<T>(center: string, kind: RecordKind, dates: string[]): Promise<Array<Sourced<T>>> {
    const parts = await Promise.all(dates.map((d) => this.readKind<T>(center, kind, d)));
    return parts.flat();
  }

  /**
   * Contacts of the dates straight into columns, deduplicated on the way (a day may be a million
   * records: none is kept beyond its row). Objects are read one after the other, in list order,
   * so the rows' order, and with it every sum, is the same on every run.
   */
  private async readContacts(
    center: string,
    dates: string[],
    into: ContactColumnsBuilder,
    wanted?: ReadonlySet<string>,
  ): Promise<void> {
    const lists = await Promise.all(dates.map((d) => this.curated.list(center, 'contacts', d)));
    for (const key of lists.flat()) {
      await this.curated.scan<ContactRecord>(key, (r, sourceKey) => {
        if (wanted && !wanted.has(r.contact_id)) return;
        const { source_line, ...record } = r;
        into.addVersion(record, sourceKey, source_line);
      });
    }
  }

  /** The engine's input for a centre-day. */
  async load(center: string, date: string, params: Parameters): Promise<DayInput> {
    const tz = params.timezone;
    const next = addDays(date, 1);
    const later = Array.from({ length: LATE_RECORD_DAYS + 1 }, (_, i) => addDays(date, i));

    const contacts = new ContactColumnsBuilder(CONTACTS_EXPECTED);
    const [, events, surveyItems, qaItems, rosterItems, stateItems] = await Promise.all([
      this.readContacts(center, [date, next], contacts),
      this.readDays<QueueLogEvent>(center, 'queue_events', [addDays(date, -1), date, next]),
      this.readDays<SurveyResponse>(center, 'surveys', later),
      this.readDays<QaEvaluation>(center, 'qa', later),
      this.readKind<RosterEntry>(center, 'roster', null),
      this.readDays<AgentStateInterval>(center, 'agent_states', [date]),
    ]);

    let agentStates = stateItems.map((s) => s.record);
    const { start, end } = localDayBounds(date, tz);
    if (events.length > 0) {
      const assembled = assembleQueueLog(
        events.map((e) => e.record),
        { center, timezone: tz },
      );
      // A call assembled from queue_log lines is one record: it has no other version.
      assembled.contacts.forEach((c, i) => {
        if (!contacts.has(c.contact_id)) contacts.addVersion(c, ASSEMBLED_SOURCE, i + 1);
      });
      agentStates = agentStates.concat(assembled.agentStates.filter((s) => s.start < end && s.end > start));
    }
    const surveys = dedupeSurveys(surveyItems);
    const qa = dedupeQa(qaItems);
    await this.addEarlierContacts(center, date, contacts, surveys, qa, start, end);

    return {
      center,
      date,
      params,
      contacts: contacts.build(),
      surveys,
      qa,
      roster: dedupeRoster(rosterItems),
      agentStates: agentStates.length > 0 ? agentStates : null,
    };
  }

  /**
   * A response or evaluation dated on the day may belong to a contact of an earlier day (surveys
   * come in days late). Such a record is not "unmatched" and not an unknown-contact evaluation:
   * the earlier contacts it refers to are added (they lie outside the day, so the engine only
   * uses them to recognise the join). Read only when the day has such candidates.
   */
  private async addEarlierContacts(
    center: string,
    date: string,
    contacts: ContactColumnsBuilder,
    surveys: readonly SurveyResponse[],
    qa: readonly QaEvaluation[],
    start: number,
    end: number,
  ): Promise<void> {
    const wanted = new Set<string>();
    for (const s of surveys)
      if (s.responded_at >= start && s.responded_at < end && !contacts.has(s.contact_id))
        wanted.add(s.contact_id);
    for (const e of qa)
      if (e.evaluated_at >= start && e.evaluated_at < end && !contacts.has(e.contact_id))
        wanted.add(e.contact_id);
    if (wanted.size === 0) return;
    const earlier = Array.from({ length: LATE_RECORD_DAYS }, (_, i) => addDays(date, -1 - i));
    await this.readContacts(center, earlier, contacts, wanted);
  }
}
