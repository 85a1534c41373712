import { describe, expect, it } from 'vitest';
import { computeDayKpis, type DayInput, type KpiRecord } from '../../functions/domain/kpi/rollup.js';
import {
  contact,
  dayInput,
  evaluation,
  find,
  ids,
  local,
  params,
  rosterRow,
  state,
  survey,
} from './factories.js';

const DATE = '2026-03-10';
const at = (time: string) => local(`${DATE} ${time}`);
const nextDay = (time: string) => local(`2026-03-11 ${time}`);

const day = (partial: Partial<DayInput>): DayInput => dayInput(DATE, partial);

/**
 * A hand-made day in Asia/Shanghai (no DST). Agents: A1 (roster Alpha), A2 (roster Beta),
 * A3 (no roster; Connect hierarchy hint Gamma), A4 (nothing: unassigned).
 */
const contacts = [
  // 09h
  contact({
    contact_id: 'c01',
    queue: 'sales',
    agent_id: 'A1',
    caller_token: 'T1',
    initiated_at: at('09:05'),
    queue_seconds: 10,
    ring_seconds: 6,
    talk_seconds: 100,
    hold_seconds: 20,
    acw_seconds: 30,
  }),
  contact({
    contact_id: 'c02',
    queue: 'sales',
    agent_id: 'A1',
    caller_token: 'T2',
    initiated_at: at('09:20'),
    queue_seconds: 30,
    ring_seconds: 12,
    talk_seconds: 200,
    acw_seconds: 40,
  }),
  contact({
    contact_id: 'c03',
    queue: 'sales',
    outcome: 'abandoned',
    initiated_at: at('09:40'),
    queue_seconds: 40,
  }),
  // Short abandon (3 s < 5 s) from T1: not offered, but it makes c01 a repeat.
  contact({
    contact_id: 'c04',
    queue: 'sales',
    outcome: 'abandoned',
    caller_token: 'T1',
    initiated_at: at('09:50'),
    queue_seconds: 3,
  }),
  // 10h
  contact({
    contact_id: 'c05',
    queue: 'support',
    agent_id: 'A2',
    caller_token: 'T3',
    initiated_at: at('10:10'),
    queue_seconds: 20,
    talk_seconds: 300,
    hold_seconds: 60,
    disposition: 'Complaint',
  }),
  // Transfer from T2: counted at the support queue, not in the centre's offered; not an FCR repeat of c02.
  contact({
    contact_id: 'c06',
    direction: 'transfer',
    queue: 'support',
    agent_id: 'A2',
    caller_token: 'T2',
    initiated_at: at('10:15'),
    queue_seconds: 5,
    ring_seconds: 6,
    talk_seconds: 50,
    acw_seconds: 10,
  }),
  contact({
    contact_id: 'c07',
    direction: 'transfer',
    queue: 'sales',
    outcome: 'abandoned',
    initiated_at: at('10:30'),
    queue_seconds: 50,
  }),
  // 11h
  contact({
    contact_id: 'c08',
    queue: 'support',
    agent_id: 'A3',
    team_hint: 'Gamma',
    initiated_at: at('11:00'),
    talk_seconds: 60,
  }),
  contact({
    contact_id: 'c09',
    direction: 'outbound',
    queue: 'campaign',
    agent_id: 'A1',
    outcome: 'connected',
    disposition: 'sale',
    initiated_at: at('11:30'),
  }),
  contact({
    contact_id: 'c10',
    direction: 'outbound',
    queue: '',
    agent_id: 'A1',
    outcome: 'no_answer',
    initiated_at: at('11:45'),
  }),
  // 12h: an agentless dialler attempt
  contact({
    contact_id: 'c11',
    direction: 'outbound',
    queue: 'campaign',
    outcome: 'failed',
    initiated_at: at('12:00'),
  }),
  // 23h: T4 calls again after midnight, inside the 2 h window
  contact({
    contact_id: 'c12',
    queue: 'support',
    agent_id: 'A4',
    caller_token: 'T4',
    initiated_at: at('23:30'),
    queue_seconds: 25,
    talk_seconds: 100,
  }),
  // Next day: FCR candidates only
  contact({
    contact_id: 'c13',
    queue: 'sales',
    outcome: 'abandoned',
    caller_token: 'T4',
    initiated_at: nextDay('00:30'),
    queue_seconds: 60,
  }),
  contact({
    contact_id: 'c14',
    queue: 'sales',
    agent_id: 'A2',
    caller_token: 'T3',
    initiated_at: nextDay('10:00'),
    queue_seconds: 1,
  }),
];

const surveys = [
  survey({ contact_id: 'c02', score: 5, responded_at: at('09:40') }),
  // A response to a transfer segment counts at that segment's queue (support) and agent (A2).
  survey({ contact_id: 'c06', score: 2, complaint: true, responded_at: at('10:40') }),
  // Complaint survey on a contact whose disposition is also a complaint: one complaint.
  survey({ contact_id: 'c05', score: 4, complaint: true, responded_at: at('10:30') }),
  // Matches an abandoned contact: neither a CSAT response nor unmatched.
  survey({ contact_id: 'c03', score: 1, responded_at: at('09:45') }),
  survey({ contact_id: 'ghost', score: 5, responded_at: at('15:00') }),
  survey({ contact_id: 'ghost-tomorrow', score: 5, responded_at: nextDay('08:00') }),
];

const qa = [
  evaluation({
    evaluation_id: 'q1',
    contact_id: 'c01',
    agent_id: 'A1',
    evaluated_at: at('15:00'),
    score: 90,
  }),
  evaluation({
    evaluation_id: 'q2',
    contact_id: 'c05',
    agent_id: 'A2',
    evaluated_at: at('15:00'),
    score: 70,
  }),
  evaluation({
    evaluation_id: 'q3',
    contact_id: 'c08',
    agent_id: 'A3',
    evaluated_at: at('15:00'),
    score: 95,
    fatal: true,
  }),
  // Unknown contact, evaluated today: centre, team Beta and agent A2 only.
  evaluation({
    evaluation_id: 'q4',
    contact_id: 'unknown',
    agent_id: 'A2',
    evaluated_at: at('16:00'),
    score: 85,
  }),
  evaluation({
    evaluation_id: 'q5',
    contact_id: 'unknown2',
    agent_id: 'A1',
    evaluated_at: nextDay('09:00'),
    score: 85,
  }),
  // The contact is tomorrow's: the evaluation belongs to tomorrow.
  evaluation({
    evaluation_id: 'q6',
    contact_id: 'c13',
    agent_id: 'A1',
    evaluated_at: at('23:59'),
    score: 10,
  }),
];

const roster = [
  rosterRow('A1', 'Alpha'),
  rosterRow('A1', 'Omega', '2026-03-11'), // not yet in force
  rosterRow('A2', 'Old', '2026-01-01'),
  rosterRow('A2', 'Beta', '2026-03-01'),
];

const agentStates = [
  // A1: 08:00–12:00 staffed, 10:00–10:30 break → 14 400 − 1 800 = 12 600 s
  state('A1', 'staffed', at('08:00'), at('12:00')),
  state('A1', 'break', at('10:00'), at('10:30')),
  // A2: staffed since yesterday 22:00, clipped to 00:00–11:00 = 39 600 s, break 1 800 → 37 800 s
  state('A2', 'staffed', local('2026-03-09 22:00'), at('11:00')),
  state('A2', 'break', at('10:00'), at('10:30')),
  // A4: 20:00 until tomorrow 04:00, clipped to 20:00–24:00 = 14 400 s
  state('A4', 'staffed', at('20:00'), nextDay('04:00')),
];

const records = computeDayKpis(day({ contacts, surveys, qa, roster, agentStates }));

describe('computeDayKpis on a hand-made day', () => {
  it('emits the centre, the queues with a segment, the teams of active agents and the hours with a segment', () => {
    expect(ids(records, 'center')).toEqual(['c1']);
    expect(ids(records, 'queue')).toEqual(['campaign', 'sales', 'support']);
    expect(ids(records, 'team')).toEqual(['Alpha', 'Beta', 'Gamma', 'unassigned']);
    expect(ids(records, 'agent')).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(ids(records, 'hour')).toEqual(['09', '10', '11', '12', '23']);
  });

  it('counts the centre queue side over inbound segments only, short abandons excluded', () => {
    const m = find(records, 'center', 'c1');
    // inbound with a queue: c01 ans 10 s, c02 ans 30 s, c03 ab 40 s, c04 short (3 s), c05 ans 20 s, c08 ans 0 s, c12 ans 25 s
    expect(m.offered).toBe(6);
    expect(m.answered).toBe(5);
    expect(m.abandoned).toBe(1);
    expect(m.short_abandoned).toBe(1);
    expect(m.answer_rate).toBe(5 / 6);
    expect(m.abandon_rate).toBe(1 / 6);
    // ≤ 20 s: c01 (10), c05 (20, on the boundary), c08 (0)
    expect(m.service_level).toBe(3 / 6);
    expect(m.asa_seconds).toBe((10 + 30 + 20 + 0 + 25) / 5);
    expect(m.avg_queue_seconds).toBe((10 + 30 + 40 + 20 + 0 + 25) / 6);
  });

  it('counts transfers at queue scope', () => {
    const sales = find(records, 'queue', 'sales');
    // c01 ans 10, c02 ans 30, c03 ab 40, c07 transfer ab 50; c04 short
    expect(sales.offered).toBe(4);
    expect(sales.answered).toBe(2);
    expect(sales.abandoned).toBe(2);
    expect(sales.short_abandoned).toBe(1);
    expect(sales.service_level).toBe(1 / 4);
    expect(sales.asa_seconds).toBe((10 + 30) / 2);
    expect(sales.avg_queue_seconds).toBe((10 + 30 + 40 + 50) / 4);

    const support = find(records, 'queue', 'support');
    // c05 ans 20, c06 transfer ans 5, c08 ans 0, c12 ans 25
    expect(support.offered).toBe(4);
    expect(support.answered).toBe(4);
    expect(support.abandoned).toBe(0);
    expect(support.service_level).toBe(3 / 4);
    expect(support.asa_seconds).toBe((20 + 5 + 0 + 25) / 4);
    expect(support.handled).toBe(4);
    expect(support.agents_active).toBe(3); // A2, A3, A4
    expect(support.handled_per_agent).toBe(4 / 3);
  });

  it('computes the centre agent side over every handled segment', () => {
    const m = find(records, 'center', 'c1');
    // handled: c01, c02, c05, c06 (transfer), c08, c12
    expect(m.handled).toBe(6);
    const talk = 100 + 200 + 300 + 50 + 60 + 100;
    const hold = 20 + 60;
    const acw = 30 + 40 + 10;
    expect(m.aht_seconds).toBe((talk + hold + acw) / 6);
    expect(m.avg_talk_seconds).toBe(talk / 6);
    expect(m.avg_hold_seconds).toBe(hold / 6);
    expect(m.avg_acw_seconds).toBe(acw / 6);
    expect(m.avg_ring_seconds).toBe((6 + 12 + 6) / 6);
    expect(m.avg_rings).toBeCloseTo((6 + 12 + 6) / 6 / 6, 12);
    expect(m.agents_active).toBe(4);
    expect(m.handled_per_agent).toBe(6 / 4);
  });

  it('counts a repeat by a short abandon and by a call after midnight, not by a transfer', () => {
    const m = find(records, 'center', 'c1');
    // eligible: c01 (T1), c02 (T2), c05 (T3), c12 (T4); c08 has no caller
    // repeated: c01 (c04 45 min later), c12 (c13 next day 00:30); c02's later T2 segment is a transfer
    expect(m.fcr_eligible).toBe(4);
    expect(m.repeated).toBe(2);
    expect(m.fcr_rate).toBe(1 - 2 / 4);
    expect(m.repeat_rate).toBe(2 / 4);
    // Attributed to X's queue, agent, team and hour.
    expect(find(records, 'queue', 'sales')).toMatchObject({ fcr_eligible: 2, repeated: 1, fcr_rate: 0.5 });
    expect(find(records, 'agent', 'A4')).toMatchObject({ fcr_eligible: 1, repeated: 1, fcr_rate: 0 });
    expect(find(records, 'team', 'unassigned')).toMatchObject({ fcr_eligible: 1, repeated: 1 });
    expect(find(records, 'hour', '23')).toMatchObject({ fcr_eligible: 1, repeated: 1, repeat_rate: 1 });
    expect(find(records, 'hour', '09')).toMatchObject({ fcr_eligible: 2, repeated: 1 });
  });

  it('joins surveys by contact id, incl. a response to a transfer segment, and counts complaints once per contact', () => {
    const m = find(records, 'center', 'c1');
    // c02: 5, c06: 2, c05: 4 (c03's response is to an abandoned segment)
    expect(m.csat_responses).toBe(3);
    expect(m.csat_avg).toBe((5 + 2 + 4) / 3);
    expect(m.csat_top2_rate).toBe(2 / 3);
    expect(m.survey_response_rate).toBe(3 / 6);
    // c05 (survey and disposition 'Complaint') + c06 (survey)
    expect(m.complaints).toBe(2);
    expect(m.complaint_rate_per_1000).toBe((2 * 1000) / 6);
    expect(m.unmatched_surveys).toBe(1);

    const support = find(records, 'queue', 'support');
    expect(support).toMatchObject({ csat_responses: 2, csat_avg: (2 + 4) / 2, complaints: 2 });
    expect(find(records, 'agent', 'A2')).toMatchObject({
      csat_responses: 2,
      csat_top2_rate: 1 / 2,
      complaints: 2,
    });
    expect(find(records, 'queue', 'sales')).toMatchObject({ csat_responses: 1, csat_avg: 5, complaints: 0 });
    expect(find(records, 'hour', '10')).toMatchObject({ csat_responses: 2, complaints: 2 });
  });

  it('attributes QA to the contact queue and hour, and an unknown contact to centre, team and agent only', () => {
    const m = find(records, 'center', 'c1');
    // q1 90, q2 70, q3 95 fatal, q4 85 (unknown contact); q5 is tomorrow's, q6's contact is tomorrow's
    expect(m.qa_evaluations).toBe(4);
    expect(m.qa_avg_score).toBe((90 + 70 + 95 + 85) / 4);
    expect(m.qa_pass_rate).toBe(2 / 4); // q1, q4 (q3 is fatal despite 95)
    expect(m.qa_fatal_errors).toBe(1);

    expect(find(records, 'queue', 'sales')).toMatchObject({ qa_evaluations: 1, qa_avg_score: 90 });
    expect(find(records, 'queue', 'support')).toMatchObject({
      qa_evaluations: 2,
      qa_avg_score: (70 + 95) / 2,
    });
    const queueQa = ['campaign', 'sales', 'support'].map((q) => find(records, 'queue', q).qa_evaluations);
    expect(queueQa).toEqual([0, 1, 2]); // 3 of 4: q4 has no queue
    const hourQa = ['09', '10', '11', '12', '23'].map((h) => find(records, 'hour', h).qa_evaluations);
    expect(hourQa).toEqual([1, 1, 1, 0, 0]);
    expect(find(records, 'agent', 'A2')).toMatchObject({
      qa_evaluations: 2,
      qa_avg_score: (70 + 85) / 2,
      qa_pass_rate: 1 / 2,
    });
    expect(find(records, 'team', 'Beta')).toMatchObject({ qa_evaluations: 2, qa_fatal_errors: 0 });
    expect(find(records, 'team', 'Gamma')).toMatchObject({
      qa_evaluations: 1,
      qa_pass_rate: 0,
      qa_fatal_errors: 1,
    });
  });

  it('assigns teams by the roster in force, then the Connect hint, then unassigned', () => {
    // A1: '' row (Alpha) is in force, the 2026-03-11 row (Omega) is not yet; A2: latest ≤ day is Beta.
    expect(find(records, 'team', 'Alpha')).toMatchObject({
      handled: 2,
      agents_active: 1,
      outbound_attempts: 2,
    });
    expect(find(records, 'team', 'Beta')).toMatchObject({ handled: 2, agents_active: 1 });
    expect(find(records, 'team', 'Gamma')).toMatchObject({ handled: 1, aht_seconds: 60 });
    expect(find(records, 'team', 'unassigned')).toMatchObject({ handled: 1, aht_seconds: 100 });
    expect(find(records, 'team', 'Alpha').aht_seconds).toBe((100 + 20 + 30 + 200 + 40) / 2);
    expect(find(records, 'team', 'Beta').aht_seconds).toBe((300 + 60 + 50 + 10) / 2);
  });

  it('computes occupancy from staffed minus break time clipped to the day', () => {
    // handle: A1 150 + 240 = 390; A2 360 + 60 = 420; A4 100; A3 has no agent states
    expect(find(records, 'agent', 'A1')).toMatchObject({
      staffed_seconds: 12_600,
      handle_seconds: 390,
      occupancy: 390 / 12_600,
    });
    expect(find(records, 'agent', 'A2')).toMatchObject({ staffed_seconds: 37_800, occupancy: 420 / 37_800 });
    expect(find(records, 'agent', 'A4')).toMatchObject({ staffed_seconds: 14_400, occupancy: 100 / 14_400 });
    expect(find(records, 'agent', 'A3')).toMatchObject({
      staffed_seconds: null,
      handle_seconds: null,
      occupancy: null,
    });
    expect(find(records, 'team', 'Gamma').occupancy).toBeNull();
    // Centre: only agents with agent-state data on either side (A3's 60 s are left out).
    const m = find(records, 'center', 'c1');
    expect(m.staffed_seconds).toBe(12_600 + 37_800 + 14_400);
    expect(m.handle_seconds).toBe(390 + 420 + 100);
    expect(m.occupancy).toBe((390 + 420 + 100) / (12_600 + 37_800 + 14_400));
    expect(find(records, 'queue', 'sales')).not.toHaveProperty('occupancy');
    expect(find(records, 'hour', '09')).not.toHaveProperty('occupancy');
  });

  it('counts outbound by day and hour, at queue scope only those carrying the queue', () => {
    const m = find(records, 'center', 'c1');
    // c09 connected 'sale' (A1, campaign), c10 no answer (A1, no queue), c11 failed (no agent, campaign)
    expect(m).toMatchObject({
      outbound_attempts: 3,
      outbound_connected: 1,
      outbound_successes: 1,
      outbound_agents: 1,
    });
    expect(m.outbound_connect_rate).toBe(1 / 3);
    expect(m.outbound_attempts_per_agent).toBe(3 / 1);
    expect(find(records, 'queue', 'campaign')).toMatchObject({
      outbound_attempts: 2,
      outbound_connected: 1,
      outbound_connect_rate: 1 / 2,
      outbound_agents: 1,
      outbound_attempts_per_agent: 2,
    });
    expect(find(records, 'queue', 'sales').outbound_attempts).toBe(0);
    expect(find(records, 'agent', 'A1')).toMatchObject({
      outbound_attempts: 2,
      outbound_attempts_per_agent: 2,
    });
    expect(find(records, 'hour', '11')).toMatchObject({ outbound_attempts: 2, outbound_successes: 1 });
    expect(find(records, 'hour', '12')).toMatchObject({ outbound_attempts: 1, outbound_agents: 0 });
  });

  it('gives null, never 0 or NaN, for a zero denominator', () => {
    const campaign = find(records, 'queue', 'campaign');
    for (const name of ['answer_rate', 'abandon_rate', 'service_level', 'asa_seconds', 'avg_queue_seconds']) {
      expect(campaign[name]).toBeNull();
    }
    const noon = find(records, 'hour', '12');
    expect(noon).toMatchObject({ offered: 0, handled: 0, aht_seconds: null, fcr_rate: null, csat_avg: null });
    expect(noon.handled_per_agent).toBeNull();
    expect(noon.qa_pass_rate).toBeNull();
    expect(noon.complaint_rate_per_1000).toBeNull();
    expect(find(records, 'team', 'Gamma').fcr_rate).toBeNull();
    expect(find(records, 'agent', 'A3').outbound_connect_rate).toBeNull();
    for (const r of records) {
      for (const v of Object.values(r.metrics)) {
        if (v !== null) expect(Number.isFinite(v)).toBe(true);
      }
    }
  });

  it('carries the volumes with every record', () => {
    const a3 = find(records, 'agent', 'A3');
    expect(a3).toMatchObject({
      handled: 1,
      fcr_eligible: 0,
      csat_responses: 0,
      qa_evaluations: 1,
      agents_active: 1,
    });
    expect(find(records, 'hour', '09')).toMatchObject({
      offered: 3,
      answered: 2,
      handled: 2,
      outbound_attempts: 0,
    });
  });
});

describe('computeDayKpis edge cases', () => {
  it('returns no records for a day without data', () => {
    expect(computeDayKpis(day({}))).toEqual([]);
  });

  it('does not count another day’s contacts, surveys or evaluations', () => {
    const r = computeDayKpis(
      day({
        contacts: [contact({ contact_id: 'y', agent_id: 'A1', initiated_at: local('2026-03-09 12:00') })],
        surveys: [survey({ contact_id: 'y', responded_at: at('08:00') })],
        qa: [evaluation({ evaluation_id: 'e', contact_id: 'y', agent_id: 'A1', evaluated_at: at('09:00') })],
      }),
    );
    expect(r).toEqual([]);
  });

  it('counts a repeat only within (0, fcr_window]', () => {
    const x = (id: string, time: string, outcome: 'answered' | 'abandoned' = 'answered') =>
      contact({
        contact_id: id,
        agent_id: 'A1',
        caller_token: id[0] as string,
        initiated_at: at(time),
        outcome,
      });
    const r = computeDayKpis(
      day({
        contacts: [
          x('a1', '08:00'),
          x('a2', '10:00', 'abandoned'), // exactly 7200 s later: a repeat
          x('b1', '08:00'),
          x('b2', '10:00:01', 'abandoned'), // 7201 s: not
          x('c1', '08:00'),
          x('c2', '08:00'), // same instant: 0 s is not "later"; both eligible, neither repeated
          contact({ contact_id: 'd1', agent_id: 'A1', caller_token: 'd', initiated_at: at('08:00') }),
          contact({
            contact_id: 'd2',
            direction: 'outbound',
            queue: '',
            caller_token: 'd',
            initiated_at: at('08:30'),
          }),
        ],
      }),
    );
    // eligible: a1, b1, c1, c2, d1; repeated: a1 only (an outbound call is not a repeat)
    expect(find(r, 'center', 'c1')).toMatchObject({ fcr_eligible: 5, repeated: 1, fcr_rate: 1 - 1 / 5 });
  });

  it('handles a caller with many calls in any input order', () => {
    // One trunk number: 25 calls 10 min apart from 00:00, then 25 more from 08:00, given newest first.
    const times = [...Array(25).keys()].flatMap((k) => [k * 10, 480 + k * 10]);
    const calls = times
      .sort((a, b) => b - a)
      .map((minute) =>
        contact({
          contact_id: `m${minute}`,
          agent_id: 'A',
          caller_token: 'trunk',
          initiated_at: at('00:00') + minute * 60_000,
        }),
      );
    // Every call has a later one within 10 min, except 04:00 (next at 08:00) and the last, 12:00.
    expect(find(computeDayKpis(day({ contacts: calls })), 'center', 'c1')).toMatchObject({
      fcr_eligible: 50,
      repeated: 50 - 2,
    });
  });

  it('keeps callers and contact ids apart whose keys hash alike', () => {
    // 'costarring' and 'liquid' collide in 32-bit FNV-1a, the engine's hash.
    const [p, q] = ['costarring', 'liquid'];
    const call = (id: string, token: string, time: string, outcome: 'answered' | 'abandoned') =>
      contact({
        contact_id: id,
        agent_id: outcome === 'answered' ? 'A' : '',
        caller_token: token,
        initiated_at: at(time),
        outcome,
      });
    const r = computeDayKpis(
      day({
        contacts: [
          call(p, p, '09:00', 'answered'),
          call('2', q, '09:30', 'abandoned'),
          call('3', p, '10:30', 'abandoned'), // p calls back: a repeat of the 09:00 call
          call('4', q, '12:00', 'answered'),
          call('5', p, '12:30', 'abandoned'), // another caller: not a repeat of the 12:00 call
        ],
        surveys: [survey({ contact_id: q, score: 5, responded_at: at('13:00') })],
        qa: [
          evaluation({
            evaluation_id: 'e',
            contact_id: q,
            agent_id: 'A',
            evaluated_at: at('13:00'),
            score: 90,
          }),
        ],
      }),
    );
    expect(find(r, 'center', 'c1')).toMatchObject({
      fcr_eligible: 2,
      repeated: 1,
      csat_responses: 0,
      unmatched_surveys: 1,
      qa_evaluations: 1,
    });
    expect(find(r, 'hour', '09').qa_evaluations).toBe(0);
  });

  it('honours the roster effective_from, falls back to the latest Connect hint, else unassigned', () => {
    const handled = (id: string, agent: string, time: string, team_hint?: string) =>
      contact({
        contact_id: id,
        agent_id: agent,
        initiated_at: at(time),
        ...(team_hint ? { team_hint } : {}),
      });
    const r = computeDayKpis(
      day({
        contacts: [
          handled('1', 'R1', '09:00', 'HintIgnored'),
          handled('2', 'H1', '09:00', 'Early'),
          handled('3', 'H1', '15:00', 'Late'),
          handled('4', 'H1', '16:00'), // no hint on this record
          handled('5', 'U1', '09:00'),
          handled('6', 'F1', '09:00'),
        ],
        roster: [
          rosterRow('R1', 'AllDays'),
          rosterRow('R1', 'FromToday', DATE), // effective today: wins over ''
          rosterRow('F1', 'Future', '2026-03-11'), // only a future row: falls back
        ],
      }),
    );
    expect(ids(r, 'team')).toEqual(['FromToday', 'Late', 'unassigned']);
    expect(find(r, 'team', 'unassigned')).toMatchObject({ handled: 2, agents_active: 2 });
    expect(find(r, 'team', 'Late')).toMatchObject({ handled: 3 });
  });

  it('applies the agent’s team to QA evaluations and agent states of the day', () => {
    const r = computeDayKpis(
      day({
        qa: [
          evaluation({
            evaluation_id: 'e1',
            contact_id: 'gone',
            agent_id: 'Q1',
            evaluated_at: at('10:00'),
            score: 80,
          }),
        ],
        roster: [rosterRow('Q1', 'Quality'), rosterRow('S1', 'Quality')],
        agentStates: [state('S1', 'staffed', at('09:00'), at('10:00'))],
      }),
    );
    expect(ids(r, 'agent')).toEqual(['Q1', 'S1']);
    expect(ids(r, 'queue')).toEqual([]);
    expect(ids(r, 'hour')).toEqual([]);
    // An agent logged in who handled nothing has occupancy 0, not null.
    expect(find(r, 'agent', 'S1')).toMatchObject({ handled: 0, staffed_seconds: 3600, occupancy: 0 });
    expect(find(r, 'team', 'Quality')).toMatchObject({
      qa_evaluations: 1,
      qa_pass_rate: 1,
      staffed_seconds: 3600,
      occupancy: 0,
    });
    expect(find(r, 'center', 'c1')).toMatchObject({ qa_evaluations: 1, handled: 0 });
  });

  it('deducts only break time inside staffed time, and counts overlapping intervals once', () => {
    const r = computeDayKpis(
      day({
        contacts: [
          contact({ contact_id: 'k', agent_id: 'B1', initiated_at: at('09:30'), talk_seconds: 900 }),
        ],
        agentStates: [
          state('B1', 'staffed', at('09:00'), at('11:00')),
          state('B1', 'staffed', at('10:00'), at('12:00')), // overlaps: staffed 09:00–12:00 = 10 800 s
          state('B1', 'break', at('11:30'), at('12:30')), // only 11:30–12:00 (1 800 s) is inside
        ],
      }),
    );
    expect(find(r, 'agent', 'B1')).toMatchObject({ staffed_seconds: 10_800 - 1_800, occupancy: 900 / 9_000 });
  });

  it('gives null occupancy everywhere without agent-state data', () => {
    const r = computeDayKpis(
      day({
        contacts: [contact({ contact_id: 'k', agent_id: 'B1', initiated_at: at('09:30'), talk_seconds: 9 })],
      }),
    );
    for (const rec of r.filter((x) => x.scope !== 'queue' && x.scope !== 'hour')) {
      expect(rec.metrics.occupancy).toBeNull();
      expect(rec.metrics.staffed_seconds).toBeNull();
    }
  });

  it('matches complaint and success codes case-insensitively against the centre config', () => {
    const p = params('Asia/Shanghai', { complaint_codes: ['escalated'], success_codes: ['won'] });
    const r = computeDayKpis(
      day({
        params: p,
        contacts: [
          contact({ contact_id: '1', agent_id: 'A', initiated_at: at('09:00'), disposition: 'Escalated' }),
          contact({ contact_id: '2', agent_id: 'A', initiated_at: at('09:00'), disposition: 'complaint' }),
          contact({
            contact_id: '3',
            direction: 'outbound',
            agent_id: 'A',
            initiated_at: at('09:00'),
            outcome: 'connected',
            disposition: 'WON',
          }),
          contact({
            contact_id: '4',
            direction: 'outbound',
            agent_id: 'A',
            initiated_at: at('09:00'),
            outcome: 'connected',
            disposition: 'sale',
          }),
        ],
      }),
    );
    expect(find(r, 'center', 'c1')).toMatchObject({ complaints: 1, outbound_successes: 1 });
  });

  it('uses the centre parameters for short abandons, service level, rings and QA pass', () => {
    const p = params('Asia/Shanghai', {
      parameters: {
        short_abandon_seconds: 10,
        service_level_seconds: 30,
        ring_cycle_seconds: 5,
        qa_pass_score: 90,
      },
    });
    const r = computeDayKpis(
      day({
        params: p,
        contacts: [
          contact({
            contact_id: '1',
            agent_id: 'A',
            initiated_at: at('09:00'),
            queue_seconds: 30,
            ring_seconds: 10,
          }),
          contact({ contact_id: '2', outcome: 'abandoned', initiated_at: at('09:00'), queue_seconds: 9 }),
          contact({ contact_id: '3', outcome: 'abandoned', initiated_at: at('09:00'), queue_seconds: 10 }),
        ],
        qa: [evaluation({ evaluation_id: 'e', contact_id: '1', agent_id: 'A', score: 85 })],
      }),
    );
    expect(find(r, 'center', 'c1')).toMatchObject({
      offered: 2, // '2' is a short abandon (9 < 10), '3' is not (10 is not < 10)
      short_abandoned: 1,
      service_level: 1 / 2, // 30 ≤ 30
      avg_rings: 10 / 5,
      qa_pass_rate: 0, // 85 < 90
    });
  });

  it('does not offer a segment that never entered a queue, but still counts it as handled', () => {
    const r = computeDayKpis(
      day({
        contacts: [
          contact({
            contact_id: 'direct',
            queue: '',
            agent_id: 'A',
            initiated_at: at('09:00'),
            talk_seconds: 60,
          }),
        ],
      }),
    );
    expect(find(r, 'center', 'c1')).toMatchObject({
      offered: 0,
      handled: 1,
      aht_seconds: 60,
      answer_rate: null,
    });
    expect(ids(r, 'queue')).toEqual([]);
  });
});

describe('computeDayKpis on DST days (America/New_York)', () => {
  const NY = 'America/New_York';

  it('gives both 01:00 hours the id 01 on the 25-hour fall-back day', () => {
    const c = (id: string, utc: string) =>
      contact({ contact_id: id, agent_id: 'A', initiated_at: Date.parse(utc), queue_seconds: 1 });
    const r: KpiRecord[] = computeDayKpis(
      day({
        date: '2026-11-01',
        params: params(NY),
        contacts: [
          c('midnight', '2026-11-01T04:00:00Z'), // 00:00 EDT
          c('first-01', '2026-11-01T05:30:00Z'), // 01:30 EDT
          c('second-01', '2026-11-01T06:30:00Z'), // 01:30 EST
          c('late', '2026-11-02T04:59:59Z'), // 23:59:59 EST, still 1 Nov
          c('next-day', '2026-11-02T05:00:00Z'), // 00:00 EST 2 Nov
          c('previous-day', '2026-11-01T03:59:59Z'), // 23:59:59 EDT 31 Oct
        ],
      }),
    );
    expect(ids(r, 'hour')).toEqual(['00', '01', '23']);
    expect(find(r, 'hour', '01')).toMatchObject({ offered: 2, handled: 2 });
    expect(find(r, 'center', 'c1').offered).toBe(4);
  });

  it('has no hour 02 on the 23-hour spring-forward day', () => {
    const c = (id: string, utc: string) =>
      contact({ contact_id: id, agent_id: 'A', initiated_at: Date.parse(utc) });
    const r = computeDayKpis(
      day({
        date: '2026-03-08',
        params: params(NY),
        contacts: [
          c('before', '2026-03-08T06:59:59Z'), // 01:59:59 EST
          c('after', '2026-03-08T07:00:00Z'), // 03:00 EDT
          c('last', '2026-03-09T03:59:59Z'), // 23:59:59 EDT
        ],
        agentStates: [
          state('A', 'staffed', Date.parse('2026-03-08T00:00:00Z'), Date.parse('2026-03-10T00:00:00Z')),
        ],
      }),
    );
    expect(ids(r, 'hour')).toEqual(['01', '03', '23']);
    // The staffed interval is clipped to the 23-hour local day.
    expect(find(r, 'agent', 'A').staffed_seconds).toBe(23 * 3600);
  });
});
