/**
 * The metric catalog (kpis.md §3) as data: what every published number means, the unit it is
 * in, the scopes it exists at, which direction is good, and the volume a reader (and the
 * evaluator, exceptions.md §1) judges it by. Served as-is by `GET /v1/definitions`; the KPI
 * engine emits exactly these names at exactly these scopes (a test keeps both in step).
 */

export type Scope = 'center' | 'queue' | 'team' | 'agent' | 'hour';
export const SCOPES: readonly Scope[] = ['center', 'queue', 'team', 'agent', 'hour'];

export type MetricUnit =
  | 'count'
  | 'fraction'
  | 'seconds'
  | 'rings'
  | 'per_1000'
  | 'score'
  | 'agents'
  | 'per_agent';

/** Which way is good: `range` = a band is good (e.g. AHT), `none` = a volume, not a performance. */
export type Better = 'higher' | 'lower' | 'range' | 'none';

/**
 * The population a metric counts: `queue` = offered segments (no team or agent: an abandoned
 * call has no agent); `agent` = handled segments and the agents' time; `quality` = outcomes of
 * handled segments (FCR, surveys, complaints, QA); `outbound` = outbound segments.
 */
export type MetricSide = 'queue' | 'agent' | 'outbound' | 'quality';

export interface MetricDefinition {
  readonly name: string;
  /** Display title, with the Chinese industry name where the seeds give one. */
  readonly title: string;
  /** The formula in words. */
  readonly description: string;
  readonly unit: MetricUnit;
  readonly scopes: readonly Scope[];
  readonly better: Better;
  readonly side: MetricSide;
  /** Metric whose value is this metric's volume (exceptions.md §1); a volume names itself. */
  readonly volume: string;
  /** For ratios: the metric holding the denominator (differs from `volume` for occupancy). */
  readonly denominator?: string;
}

const QUEUE_SCOPES: readonly Scope[] = ['center', 'queue', 'hour'];
const ALL_SCOPES: readonly Scope[] = SCOPES;
const STAFFED_SCOPES: readonly Scope[] = ['center', 'team', 'agent'];
const CENTER_ONLY: readonly Scope[] = ['center'];

const QUEUE_POPULATION =
  'At centre and hour scope inbound segments only; at queue scope inbound and transfer segments offered to that queue.';
const HANDLED_POPULATION =
  'Handled segments = answered inbound and transfer segments, attributed to their queue, agent, the agent’s team and the local hour of initiated_at.';

export const METRICS: readonly MetricDefinition[] = [
  // Queue side
  {
    name: 'offered',
    title: 'Offered',
    description: `Segments that entered a queue, minus short abandons. ${QUEUE_POPULATION}`,
    unit: 'count',
    scopes: QUEUE_SCOPES,
    better: 'none',
    side: 'queue',
    volume: 'offered',
  },
  {
    name: 'answered',
    title: 'Answered',
    description: `Offered segments with outcome answered. ${QUEUE_POPULATION}`,
    unit: 'count',
    scopes: QUEUE_SCOPES,
    better: 'none',
    side: 'queue',
    volume: 'answered',
  },
  {
    name: 'abandoned',
    title: 'Abandoned',
    description: `Offered segments with outcome abandoned (short abandons excluded). ${QUEUE_POPULATION}`,
    unit: 'count',
    scopes: QUEUE_SCOPES,
    better: 'lower',
    side: 'queue',
    volume: 'offered',
  },
  {
    name: 'short_abandoned',
    title: 'Short abandons',
    description:
      'Abandoned segments with queue_seconds < short_abandon_seconds (default 5). They are excluded from offered, answered and abandoned. ' +
      QUEUE_POPULATION,
    unit: 'count',
    scopes: QUEUE_SCOPES,
    better: 'none',
    side: 'queue',
    volume: 'short_abandoned',
  },
  {
    name: 'answer_rate',
    title: 'Answer rate (接通率)',
    description: 'answered / offered, as a fraction in [0, 1]; null when nothing was offered.',
    unit: 'fraction',
    scopes: QUEUE_SCOPES,
    better: 'higher',
    side: 'queue',
    volume: 'offered',
    denominator: 'offered',
  },
  {
    name: 'abandon_rate',
    title: 'Abandon rate',
    description: 'abandoned / offered (short abandons in neither); null when nothing was offered.',
    unit: 'fraction',
    scopes: QUEUE_SCOPES,
    better: 'lower',
    side: 'queue',
    volume: 'offered',
    denominator: 'offered',
  },
  {
    name: 'service_level',
    title: 'Service level (服务水平)',
    description:
      'Answered segments with queue_seconds ≤ service_level_seconds (default 20; gartner preset 15) / offered. Unlike Amazon Connect, an abandon never meets the service level. Null when nothing was offered.',
    unit: 'fraction',
    scopes: QUEUE_SCOPES,
    better: 'higher',
    side: 'queue',
    volume: 'offered',
    denominator: 'offered',
  },
  {
    name: 'asa_seconds',
    title: 'Average speed of answer',
    description: 'Σ queue_seconds of answered segments / answered; null when nothing was answered.',
    unit: 'seconds',
    scopes: QUEUE_SCOPES,
    better: 'lower',
    side: 'queue',
    volume: 'answered',
    denominator: 'answered',
  },
  {
    name: 'avg_queue_seconds',
    title: 'Average queue time (平均排队时间)',
    description:
      'Σ queue_seconds of offered segments (answered and abandoned, short abandons excluded) / offered; null when nothing was offered.',
    unit: 'seconds',
    scopes: QUEUE_SCOPES,
    better: 'lower',
    side: 'queue',
    volume: 'offered',
    denominator: 'offered',
  },

  // Agent side
  {
    name: 'handled',
    title: 'Handled',
    description: `Answered inbound and transfer segments. ${HANDLED_POPULATION}`,
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'agent',
    volume: 'handled',
  },
  {
    name: 'aht_seconds',
    title: 'Average handle time (平均处理时长)',
    description:
      'Σ (talk + hold + after-contact work) seconds of handled segments / handled; null when none.',
    unit: 'seconds',
    scopes: ALL_SCOPES,
    better: 'range',
    side: 'agent',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'avg_talk_seconds',
    title: 'Average talk time',
    description: 'Σ talk_seconds (excluding hold) of handled segments / handled; null when none.',
    unit: 'seconds',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'agent',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'avg_hold_seconds',
    title: 'Average hold time',
    description: 'Σ hold_seconds of handled segments / handled; null when none.',
    unit: 'seconds',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'agent',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'avg_acw_seconds',
    title: 'Average after-contact work',
    description: 'Σ acw_seconds (wrap-up) of handled segments / handled; null when none.',
    unit: 'seconds',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'agent',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'avg_ring_seconds',
    title: 'Average ring time',
    description:
      'Σ ring_seconds (agent alerting before answer) of handled segments / handled; null when none.',
    unit: 'seconds',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'agent',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'avg_rings',
    title: 'Average rings (平均振铃次数)',
    description: 'avg_ring_seconds / ring_cycle_seconds (default 6); null when nothing was handled.',
    unit: 'rings',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'agent',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'agents_active',
    title: 'Active agents',
    description: 'Distinct agents with at least one handled segment in the scope (1 or 0 at agent scope).',
    unit: 'agents',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'agent',
    volume: 'agents_active',
  },
  {
    name: 'handled_per_agent',
    title: 'Handled per agent',
    description: 'handled / agents_active; null when no agent handled anything.',
    unit: 'per_agent',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'agent',
    volume: 'agents_active',
    denominator: 'agents_active',
  },
  {
    name: 'staffed_seconds',
    title: 'Staffed time',
    description:
      'Σ over agents with agent-state data of (staffed − break) seconds, clipped to the local day (overlapping intervals counted once). Null where no agent of the scope has agent-state data.',
    unit: 'seconds',
    scopes: STAFFED_SCOPES,
    better: 'none',
    side: 'agent',
    volume: 'staffed_seconds',
  },
  {
    name: 'handle_seconds',
    title: 'Handle time of staffed agents',
    description:
      'Σ (talk + hold + acw) seconds of the segments handled that day by agents with agent-state data: the numerator of occupancy. Null where no agent of the scope has agent-state data.',
    unit: 'seconds',
    scopes: STAFFED_SCOPES,
    better: 'none',
    side: 'agent',
    volume: 'handled',
  },
  {
    name: 'occupancy',
    title: 'Occupancy (占有率)',
    description:
      'handle_seconds / staffed_seconds: handle time of the segments handled that day over staffed time minus break, clipped to the local day. Only agents with agent-state data count on either side; null where there is none or staffed time is 0.',
    unit: 'fraction',
    scopes: STAFFED_SCOPES,
    better: 'higher',
    side: 'agent',
    volume: 'handled',
    denominator: 'staffed_seconds',
  },

  // Quality: FCR, surveys, complaints, QA
  {
    name: 'fcr_eligible',
    title: 'FCR-eligible contacts',
    description:
      'Answered inbound segments with a known caller (caller_token), attributed to their queue, agent, team and hour.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'quality',
    volume: 'fcr_eligible',
  },
  {
    name: 'repeated',
    title: 'Repeat contacts',
    description:
      'FCR-eligible segments X for which another inbound segment Y from the same caller (any queue, any outcome, short abandons included) starts with 0 < initiated_at(Y) − initiated_at(X) ≤ fcr_window_seconds (default 7200). Y may fall on the next day, so the day stays provisional until that data has arrived.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'quality',
    volume: 'fcr_eligible',
  },
  {
    name: 'fcr_rate',
    title: 'First-contact resolution (一次解决率)',
    description: '1 − repeated / fcr_eligible; null when no segment is eligible.',
    unit: 'fraction',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'quality',
    volume: 'fcr_eligible',
    denominator: 'fcr_eligible',
  },
  {
    name: 'repeat_rate',
    title: 'Repeat-contact rate',
    description: 'repeated / fcr_eligible; null when no segment is eligible.',
    unit: 'fraction',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'quality',
    volume: 'fcr_eligible',
    denominator: 'fcr_eligible',
  },
  {
    name: 'csat_responses',
    title: 'Survey responses',
    description:
      'Survey responses joined by contact_id to handled segments of the scope (a response to a transfer segment counts at that segment’s queue and agent). One response per contact: the latest responded_at.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'quality',
    volume: 'csat_responses',
  },
  {
    name: 'csat_avg',
    title: 'Average CSAT',
    description: 'Mean survey score (1–5) of csat_responses; null when there are none.',
    unit: 'score',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'quality',
    volume: 'csat_responses',
    denominator: 'csat_responses',
  },
  {
    name: 'csat_top2_rate',
    title: 'CSAT top-2-box rate',
    description: 'Share of csat_responses with score ≥ 4; null when there are none.',
    unit: 'fraction',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'quality',
    volume: 'csat_responses',
    denominator: 'csat_responses',
  },
  {
    name: 'survey_response_rate',
    title: 'Survey response rate',
    description: 'csat_responses / handled; null when nothing was handled.',
    unit: 'fraction',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'quality',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'unmatched_surveys',
    title: 'Unmatched survey responses',
    description:
      'Survey responses of the responded_at day whose contact_id matches no contact record (yet); they are joined on a later recomputation once the contact arrives.',
    unit: 'count',
    scopes: CENTER_ONLY,
    better: 'none',
    side: 'quality',
    volume: 'unmatched_surveys',
  },
  {
    name: 'complaints',
    title: 'Complaints',
    description:
      'Distinct handled segments with a survey complaint = true or a disposition in complaint_codes (a complaint survey and a complaint disposition on one contact are one complaint).',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'quality',
    volume: 'handled',
  },
  {
    name: 'complaint_rate_per_1000',
    title: 'Complaint rate (服务态度投诉率)',
    description: 'complaints / handled × 1000; null when nothing was handled.',
    unit: 'per_1000',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'quality',
    volume: 'handled',
    denominator: 'handled',
  },
  {
    name: 'qa_evaluations',
    title: 'QA evaluations',
    description:
      'QA evaluations (one per evaluation_id, latest evaluated_at) whose contact falls on the day, attributed to the contact’s queue and hour and to the evaluated agent and that agent’s team. An evaluation whose contact is unknown counts on its evaluated_at day at centre, team and agent scope only.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'quality',
    volume: 'qa_evaluations',
  },
  {
    name: 'qa_avg_score',
    title: 'Average QA score',
    description: 'Mean QA score (0–100) of qa_evaluations; null when there are none.',
    unit: 'score',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'quality',
    volume: 'qa_evaluations',
    denominator: 'qa_evaluations',
  },
  {
    name: 'qa_pass_rate',
    title: 'QA pass rate (监听合格率)',
    description:
      'Evaluations with score ≥ qa_pass_score (default 80) and no fatal error / qa_evaluations; null when there are none.',
    unit: 'fraction',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'quality',
    volume: 'qa_evaluations',
    denominator: 'qa_evaluations',
  },
  {
    name: 'qa_fatal_errors',
    title: 'QA fatal errors (致命性差错)',
    description: 'Evaluations flagged fatal.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'lower',
    side: 'quality',
    volume: 'qa_evaluations',
  },

  // Outbound
  {
    name: 'outbound_attempts',
    title: 'Outbound attempts',
    description:
      'Outbound segments by the local day and hour of initiated_at; at queue scope those carrying that queue (campaign); at team and agent scope those made by the agent.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'outbound',
    volume: 'outbound_attempts',
  },
  {
    name: 'outbound_connected',
    title: 'Outbound connected',
    description: 'Outbound segments with outcome connected.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'outbound',
    volume: 'outbound_attempts',
  },
  {
    name: 'outbound_connect_rate',
    title: 'Outbound connect rate (呼出接通率)',
    description: 'outbound_connected / outbound_attempts; null when there were no attempts.',
    unit: 'fraction',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'outbound',
    volume: 'outbound_attempts',
    denominator: 'outbound_attempts',
  },
  {
    name: 'outbound_successes',
    title: 'Outbound successes (日成功量)',
    description: 'Outbound segments with a disposition in success_codes.',
    unit: 'count',
    scopes: ALL_SCOPES,
    better: 'higher',
    side: 'outbound',
    volume: 'outbound_attempts',
  },
  {
    name: 'outbound_agents',
    title: 'Outbound agents',
    description: 'Distinct agents with at least one outbound attempt in the scope (1 or 0 at agent scope).',
    unit: 'agents',
    scopes: ALL_SCOPES,
    better: 'none',
    side: 'outbound',
    volume: 'outbound_agents',
  },
  {
    name: 'outbound_attempts_per_agent',
    title: 'Outbound attempts per agent (日呼出量)',
    description:
      'outbound_attempts / outbound_agents (attempts without an agent, e.g. unconnected dialler calls, count in the numerator); null when no agent made an attempt.',
    unit: 'per_agent',
    scopes: ALL_SCOPES,
    better: 'range',
    side: 'outbound',
    volume: 'outbound_agents',
    denominator: 'outbound_agents',
  },
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

export function metricDefinition(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}

const BY_SCOPE = new Map(SCOPES.map((s) => [s, METRICS.filter((m) => m.scopes.includes(s))]));

/** The metrics that exist at a scope, in catalog order. */
export function metricsAtScope(scope: Scope): readonly MetricDefinition[] {
  return BY_SCOPE.get(scope) ?? [];
}
