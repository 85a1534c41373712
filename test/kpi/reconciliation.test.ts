import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDayKpis, type DayInput, type KpiRecord } from '../../functions/domain/kpi/rollup.js';
import type { ContactRecord } from '../../functions/domain/records.js';
import { localDayBounds } from '../../functions/domain/time.js';
import { contact, evaluation, params, rosterRow, state, survey } from './factories.js';

const DATE = '2026-11-01'; // a 25-hour day in New York
const TZ = 'America/New_York';
const { start, end } = localDayBounds(DATE, TZ);
const WINDOW_MS = 7200 * 1000;

const segment = fc
  .record({
    direction: fc.constantFrom('inbound', 'inbound', 'transfer', 'outbound'),
    queue: fc.constantFrom('', 'q1', 'q2', 'q3'),
    agent: fc.constantFrom('a1', 'a2', 'a3', 'a4', 'a5'),
    caller: fc.constantFrom('', 't1', 't2', 't3'),
    // Mostly inside the day, some in the next day's FCR window.
    offsetMs: fc.integer({ min: 0, max: end - start + WINDOW_MS }),
    queueSeconds: fc.integer({ min: 0, max: 60 }),
    talk: fc.integer({ min: 0, max: 600 }),
    hold: fc.integer({ min: 0, max: 60 }),
    acw: fc.integer({ min: 0, max: 60 }),
    ring: fc.integer({ min: 0, max: 30 }),
    inboundAnswered: fc.boolean(),
    outboundOutcome: fc.constantFrom('connected', 'no_answer', 'busy', 'failed'),
    disposition: fc.constantFrom('', 'complaint', 'sale', 'other'),
    hint: fc.constantFrom(undefined, 'H1', 'H2'),
  })
  .map((s): ContactRecord => {
    const outbound = s.direction === 'outbound';
    const answered = !outbound && s.inboundAnswered;
    return contact({
      contact_id: '',
      direction: s.direction as ContactRecord['direction'],
      queue: s.direction === 'outbound' ? s.queue : s.queue || 'q1',
      // Handled segments always have an agent; abandons never.
      agent_id: outbound || answered ? s.agent : '',
      caller_token: s.caller,
      initiated_at: start + s.offsetMs,
      queue_seconds: s.queueSeconds,
      ring_seconds: s.ring,
      talk_seconds: s.talk,
      hold_seconds: s.hold,
      acw_seconds: s.acw,
      outcome: outbound
        ? (s.outboundOutcome as ContactRecord['outcome'])
        : answered
          ? 'answered'
          : 'abandoned',
      disposition: s.disposition,
      ...(s.hint ? { team_hint: s.hint } : {}),
    });
  });

const dayInput = fc
  .record({
    segments: fc.array(segment, { maxLength: 40 }),
    surveyed: fc.uniqueArray(
      fc.record({ n: fc.nat(60), score: fc.integer({ min: 1, max: 5 }), complaint: fc.boolean() }),
      { selector: (s) => s.n, maxLength: 10 },
    ),
    evaluated: fc.array(
      fc.record({ n: fc.nat(60), agent: fc.constantFrom('a1', 'a2', 'a6'), score: fc.nat(100) }),
      {
        maxLength: 10,
      },
    ),
    staffed: fc.array(
      fc.record({
        agent: fc.constantFrom('a1', 'a2', 'a7'),
        from: fc.nat(30),
        hours: fc.integer({ min: 1, max: 10 }),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ segments, surveyed, evaluated, staffed }): DayInput & { contacts: ContactRecord[] } => {
    const contacts = segments.map((s, i) => ({ ...s, contact_id: `c${i}` }));
    const HOUR = 3_600_000;
    return {
      center: 'c1',
      date: DATE,
      params: params(TZ),
      contacts,
      // Contact ids c0…c60: some match, some do not.
      surveys: surveyed.map((s, i) =>
        survey({
          contact_id: `c${s.n}`,
          score: s.score,
          complaint: s.complaint,
          responded_at: start + i * HOUR,
        }),
      ),
      qa: evaluated.map((e, i) =>
        evaluation({
          evaluation_id: `e${i}`,
          contact_id: `c${e.n}`,
          agent_id: e.agent,
          score: e.score,
          evaluated_at: start + i * HOUR,
        }),
      ),
      roster: [rosterRow('a1', 'R1'), rosterRow('a2', 'R2', '2026-10-01')],
      agentStates: staffed.map((s) =>
        state(s.agent, 'staffed', start + (s.from - 5) * HOUR, start + (s.from - 5 + s.hours) * HOUR),
      ),
    };
  });

const sum = (records: KpiRecord[], scope: KpiRecord['scope'], metric: string) =>
  records.filter((r) => r.scope === scope).reduce((acc, r) => acc + (r.metrics[metric] ?? 0), 0);

describe('reconciliation of scopes', () => {
  it('adds the hours, queues, teams and agents up to the centre', () => {
    fc.assert(
      fc.property(dayInput, (input) => {
        const records = computeDayKpis(input);
        const center = records.find((r) => r.scope === 'center')?.metrics;
        if (!center) {
          expect(records).toEqual([]);
          return;
        }
        for (const m of ['offered', 'answered', 'abandoned', 'short_abandoned', 'outbound_attempts']) {
          expect(sum(records, 'hour', m), m).toBe(center[m]);
        }
        for (const m of [
          'handled',
          'fcr_eligible',
          'repeated',
          'csat_responses',
          'complaints',
          'outbound_connected',
        ]) {
          expect(sum(records, 'hour', m), `hour ${m}`).toBe(center[m]);
          expect(sum(records, 'team', m), `team ${m}`).toBe(center[m]);
          expect(sum(records, 'agent', m), `agent ${m}`).toBe(center[m]);
        }
        // Handled segments always carry a queue here; outbound ones need not.
        for (const m of ['handled', 'fcr_eligible', 'repeated', 'csat_responses', 'complaints']) {
          expect(sum(records, 'queue', m), `queue ${m}`).toBe(center[m]);
        }
        // Every evaluation carries an agent; the hours miss only those of unknown contacts.
        const byId = new Map(input.contacts.map((c) => [c.contact_id, c]));
        const ofDayContacts = input.qa.filter((e) => {
          const c = byId.get(e.contact_id);
          return c !== undefined && c.initiated_at >= start && c.initiated_at < end;
        }).length;
        const ofUnknownContacts = input.qa.filter(
          (e) => !byId.has(e.contact_id) && e.evaluated_at >= start && e.evaluated_at < end,
        ).length;
        expect(sum(records, 'hour', 'qa_evaluations')).toBe(ofDayContacts);
        expect(center.qa_evaluations).toBe(ofDayContacts + ofUnknownContacts);
        expect(sum(records, 'agent', 'qa_evaluations')).toBe(center.qa_evaluations);
        expect(sum(records, 'team', 'qa_evaluations')).toBe(center.qa_evaluations);
        // Queue scope adds transfers to the centre's inbound-only offered.
        expect(sum(records, 'queue', 'offered')).toBeGreaterThanOrEqual(center.offered as number);
        expect(sum(records, 'team', 'agents_active')).toBe(center.agents_active);
        expect(sum(records, 'team', 'outbound_agents')).toBe(center.outbound_agents);
        expect(sum(records, 'team', 'staffed_seconds')).toBe(center.staffed_seconds ?? 0);
        expect(sum(records, 'agent', 'handle_seconds')).toBe(center.handle_seconds ?? 0);
        for (const r of records) {
          for (const [name, v] of Object.entries(r.metrics)) {
            if (v === null) continue;
            expect(Number.isFinite(v), name).toBe(true);
            if (/_rate$|^service_level$|^occupancy$/.test(name) && name !== 'complaint_rate_per_1000') {
              expect(v, `${r.scope} ${r.id} ${name}`).toBeGreaterThanOrEqual(0);
              if (name !== 'occupancy') expect(v, `${r.scope} ${r.id} ${name}`).toBeLessThanOrEqual(1);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts FCR repeats as a brute-force reading of kpis.md does', () => {
    fc.assert(
      fc.property(dayInput, (input) => {
        const inDay = (c: ContactRecord) => c.initiated_at >= start && c.initiated_at < end;
        const eligible = input.contacts.filter(
          (x) => inDay(x) && x.direction === 'inbound' && x.outcome === 'answered' && x.caller_token !== '',
        );
        const repeated = eligible.filter((x) =>
          input.contacts.some(
            (y) =>
              y.direction === 'inbound' &&
              y.caller_token === x.caller_token &&
              y.initiated_at - x.initiated_at > 0 &&
              y.initiated_at - x.initiated_at <= WINDOW_MS,
          ),
        );
        const center = computeDayKpis(input).find((r) => r.scope === 'center')?.metrics;
        expect(center?.fcr_eligible ?? 0).toBe(eligible.length);
        expect(center?.repeated ?? 0).toBe(repeated.length);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of its inputs', () => {
    fc.assert(
      fc.property(
        dayInput.chain((input) =>
          fc.record({
            input: fc.constant(input),
            contacts: fc.shuffledSubarray([...input.contacts], { minLength: input.contacts.length }),
            qa: fc.shuffledSubarray([...input.qa], { minLength: input.qa.length }),
            states: fc.shuffledSubarray([...(input.agentStates ?? [])], {
              minLength: input.agentStates?.length ?? 0,
            }),
          }),
        ),
        ({ input, contacts, qa, states }) => {
          const a = computeDayKpis(input);
          const b = computeDayKpis({
            ...input,
            contacts,
            qa,
            agentStates: states,
            roster: [...input.roster].reverse(),
          });
          expect(b).toHaveLength(a.length);
          // Sums may differ in the last bit when added in another order.
          b.forEach((r, i) => {
            const ra = a[i] as KpiRecord;
            expect([r.scope, r.id]).toEqual([ra.scope, ra.id]);
            for (const [name, v] of Object.entries(r.metrics)) {
              const va = ra.metrics[name] ?? null;
              if (v === null || va === null) expect(v).toBe(va);
              else expect(v).toBeCloseTo(va, 9);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
