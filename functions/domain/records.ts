/**
 * Canonical records (kpis.md §1, interfaces.md §2). Every input format is normalised into
 * these before any metric is computed. Instants are epoch milliseconds (UTC); durations are
 * seconds. Field names follow the spec (snake_case) so curated files, the Glue table and the
 * API read the same.
 */

export type Direction = 'inbound' | 'transfer' | 'outbound';
export type Channel = 'voice' | 'chat' | 'email';
export type InboundOutcome = 'answered' | 'abandoned';
export type OutboundOutcome = 'connected' | 'no_answer' | 'busy' | 'failed';
export type Outcome = InboundOutcome | OutboundOutcome;

export const DIRECTIONS: readonly Direction[] = ['inbound', 'transfer', 'outbound'];
export const CHANNELS: readonly Channel[] = ['voice', 'chat', 'email'];
export const INBOUND_OUTCOMES: readonly InboundOutcome[] = ['answered', 'abandoned'];
export const OUTBOUND_OUTCOMES: readonly OutboundOutcome[] = ['connected', 'no_answer', 'busy', 'failed'];

export interface ContactRecord {
  contact_id: string;
  direction: Direction;
  channel: Channel;
  center: string;
  /** Queue / skill / business line; '' for outbound without a campaign. */
  queue: string;
  /** '' if never connected to an agent. */
  agent_id: string;
  /** HMAC-SHA256 token of the E.164 caller number; '' if unknown or withheld. */
  caller_token: string;
  initiated_at: number;
  queue_seconds: number;
  ring_seconds: number;
  talk_seconds: number;
  hold_seconds: number;
  acw_seconds: number;
  outcome: Outcome;
  disposition: string;
  last_updated_at: number;
  /** Amazon Connect only: deepest Agent.HierarchyGroups level name (team fallback). */
  team_hint?: string;
}

export interface SurveyResponse {
  contact_id: string;
  responded_at: number;
  /** Integer 1–5. */
  score: number;
  complaint: boolean;
  agent_id: string;
  queue: string;
  // Free-text comments are never stored.
}

export interface QaEvaluation {
  evaluation_id: string;
  contact_id: string;
  agent_id: string;
  evaluated_at: number;
  /** 0–100. */
  score: number;
  fatal: boolean;
  form: string;
}

export interface RosterEntry {
  agent_id: string;
  team: string;
  name: string;
  supervisor: string;
  email: string;
  hire_date: string;
  /** YYYY-MM-DD, or '' = applies to all days. */
  effective_from: string;
}

export type AgentState = 'staffed' | 'break';

export interface AgentStateInterval {
  agent_id: string;
  state: AgentState;
  start: number;
  end: number;
}

/**
 * One Asterisk queue_log line, kept as an event. Segments are assembled from the events of
 * consecutive days at rollup time, so a call that spans files (or midnight) is completed by
 * whichever file carries its end, in any arrival order.
 */
export interface QueueLogEvent {
  /** Epoch milliseconds (queue_log epoch seconds × 1000; fractional seconds kept). */
  at: number;
  callid: string;
  queue: string;
  agent: string;
  event: string;
  data: string[];
  /** ENTERQUEUE only: caller id already tokenised (data2 is never stored raw). */
  caller_token?: string;
}

export type RecordKind = 'contacts' | 'surveys' | 'qa' | 'roster' | 'agent_states' | 'queue_events';

export interface RecordOfKind {
  contacts: ContactRecord;
  surveys: SurveyResponse;
  qa: QaEvaluation;
  roster: RosterEntry;
  agent_states: AgentStateInterval;
  queue_events: QueueLogEvent;
}

/** Position of a record in its source, for deterministic tie-breaking (kpis.md §1). */
export interface SourcePosition {
  /** Object key of the source export. */
  source_key: string;
  /** 1-based line (CSV/queue_log) or record number (JSON) within the object. */
  line: number;
}
