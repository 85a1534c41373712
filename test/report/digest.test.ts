import { describe, expect, it } from 'vitest';
import {
  describeChanges,
  digestSubject,
  exceptionKey,
  foldSystemic,
  renderDigest,
  reportFingerprint,
} from '../../functions/domain/report/digest.js';
import { digestInput, exception, recoveredMetric } from './factories.js';

const serviceLevel = exception({ metric: 'service_level', actual: 0.712, target: { gte: 0.8 } });
const ahtTeamB = exception({
  metric: 'aht_seconds',
  scope: 'team',
  id: 'B',
  actual: 412,
  target: { between: [180, 330] },
  state: 'continuing',
  streak: 3,
});
const csatBilling = exception({
  metric: 'csat_avg',
  scope: 'queue',
  id: 'billing',
  actual: 3.62,
  target: { gte: 4 },
});

describe('digestSubject', () => {
  it('names the count and the worst exception with its rounded value and target', () => {
    expect(digestSubject(digestInput({ exceptions: [serviceLevel, ahtTeamB, csatBilling] }))).toBe(
      '[demo] 2026-11-22: 3 KPI exceptions — Average handle time 412 s vs 180–330 s',
    );
  });

  it('keeps the spec’s literal plural for a single exception', () => {
    expect(digestSubject(digestInput({ exceptions: [serviceLevel] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Service level 71.2 % vs ≥ 80.0 %',
    );
  });

  it('shows rates as percentages with one decimal', () => {
    const abandon = exception({ metric: 'abandon_rate', actual: 0.08349, target: { lte: 0.05 } });
    expect(digestSubject(digestInput({ exceptions: [abandon] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Abandon rate 8.3 % vs ≤ 5.0 %',
    );
    const sl = exception({ metric: 'service_level', actual: 0.71251, target: { gte: 0.855 } });
    expect(digestSubject(digestInput({ exceptions: [sl] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Service level 71.3 % vs ≥ 85.5 %',
    );
  });

  it('shows durations in whole seconds', () => {
    const asa = exception({ metric: 'asa_seconds', actual: 27.6, target: { lte: 20 } });
    expect(digestSubject(digestInput({ exceptions: [asa] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Average speed of answer 28 s vs ≤ 20 s',
    );
    const aht = exception({ metric: 'aht_seconds', actual: 149.4, target: { between: [180.2, 330] } });
    expect(digestSubject(digestInput({ exceptions: [aht] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Average handle time 149 s vs 180–330 s',
    );
  });

  it('shows other values with up to two decimals', () => {
    const csat = exception({ metric: 'csat_avg', actual: 3.456, target: { gte: 4 } });
    expect(digestSubject(digestInput({ exceptions: [csat] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Average CSAT 3.46 vs ≥ 4',
    );
    const complaints = exception({ metric: 'complaint_rate_per_1000', actual: 2.5, target: { lte: 1.75 } });
    expect(digestSubject(digestInput({ exceptions: [complaints] }))).toBe(
      '[demo] 2026-11-22: 1 KPI exceptions — Complaint rate 2.5 vs ≤ 1.75',
    );
  });

  it('picks the worst by severity ratio, not by the size of the number', () => {
    // 0.5 s over 10 s is 5 %; 0.712 under 0.8 is 11 %.
    const ring = exception({ metric: 'avg_ring_seconds', actual: 10.5, target: { lte: 10 } });
    expect(digestSubject(digestInput({ exceptions: [ring, serviceLevel] }))).toBe(
      '[demo] 2026-11-22: 2 KPI exceptions — Service level 71.2 % vs ≥ 80.0 %',
    );
  });

  it('breaks a tie in severity by metric name', () => {
    const sl = exception({ metric: 'service_level', actual: 0.72, target: { gte: 0.8 } });
    const answer = exception({ metric: 'answer_rate', actual: 0.72, target: { gte: 0.8 } });
    expect(digestSubject(digestInput({ exceptions: [sl, answer] }))).toBe(
      '[demo] 2026-11-22: 2 KPI exceptions — Answer rate 72.0 % vs ≥ 80.0 %',
    );
    expect(digestSubject(digestInput({ exceptions: [answer, sl] }))).toBe(
      '[demo] 2026-11-22: 2 KPI exceptions — Answer rate 72.0 % vs ≥ 80.0 %',
    );
  });

  it('prefixes a restatement with [Restated]', () => {
    expect(
      digestSubject(digestInput({ restated: { changes: [] }, exceptions: [serviceLevel, csatBilling] })),
    ).toBe('[Restated] [demo] 2026-11-22: 2 KPI exceptions — Service level 71.2 % vs ≥ 80.0 %');
  });

  it('says there are no exceptions in an all-clear digest', () => {
    expect(digestSubject(digestInput({ allClear: true }))).toBe('[demo] 2026-11-22: no KPI exceptions');
    expect(digestSubject(digestInput({ restated: { changes: [] } }))).toBe(
      '[Restated] [demo] 2026-11-22: no KPI exceptions',
    );
  });

  it('never carries a line break from a centre id into the header', () => {
    expect(digestSubject(digestInput({ center: 'de\r\nBcc: x@evil.test' }))).toBe(
      '[de Bcc: x@evil.test] 2026-11-22: no KPI exceptions',
    );
  });
});

describe('renderDigest', () => {
  const hostile = `<img src=x onerror=alert(1)>"'&`;

  it('escapes ids that come from files everywhere in the HTML', () => {
    const e = exception({
      metric: 'aht_seconds',
      scope: 'team',
      id: hostile,
      actual: 412,
      target: { between: [180, 330] },
      summary: `Team ${hostile} is slow`,
      causes: [
        {
          kind: 'segment',
          dimension: 'agent',
          id: hostile,
          value: 600,
          volume_share: 0.1,
          status: 'breached',
          share_of_gap: 0.5,
        },
        {
          kind: 'data_quality',
          findings: [],
          rejected_objects: [{ key: `cdr/${hostile}.csv`, reason: hostile }],
          quarantine_heavy_objects: [],
          missing_hours: [],
        },
      ],
    });
    const { html, text } = renderDigest(
      digestInput({
        exceptions: [e],
        recovered: [recoveredMetric({ metric: 'service_level', scope: 'queue', id: hostile })],
        charts: { [exceptionKey(e)]: 'trend-0@kpi.local' },
      }),
    );
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain(`"'&`);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    // The only <img> is the chart.
    expect(html.match(/<img /g)).toHaveLength(1);
    // The plain-text part is not HTML: the id reads as written.
    expect(text).toContain(`team ${hostile}`);
  });

  it('puts every exception, its causes and the API path in the text part', () => {
    const sl = exception({
      ...serviceLevel,
      summary: 'Service level 71.2 % (target ≥ 80.0 %). Concentrated in 10:00–12:00.',
      verdict: 'concentrated',
      causes: [
        { kind: 'driver', name: 'offered', actual: 18234, baseline: 14102, change: 0.293 },
        {
          kind: 'staffing',
          hour: '10',
          offered: 1641,
          aht_seconds: 312,
          agents_needed: 14,
          agents_staffed: 9,
        },
      ],
    });
    const aht = exception({
      ...ahtTeamB,
      causes: [{ kind: 'driver', name: 'avg_acw_seconds', actual: 95, baseline: 48, change: 0.979 }],
    });
    const { text } = renderDigest(
      digestInput({
        exceptions: [sl, aht, csatBilling],
        recovered: [
          recoveredMetric({
            metric: 'abandon_rate',
            actual: 0.041,
            target: { lte: 0.05 },
            scope: 'queue',
            id: 'sales',
            previous_streak: 2,
          }),
        ],
      }),
    );
    expect(text).toContain('1. Average handle time — team B: 412 s vs 180–330 s — critical, day 3');
    expect(text).toContain('2. Service level — centre demo: 71.2 % vs ≥ 80.0 % — major, new');
    expect(text).toContain('3. Average CSAT — queue billing: 3.62 vs ≥ 4 — major, new');
    expect(text).toContain('Service level 71.2 % (target ≥ 80.0 %). Concentrated in 10:00–12:00.');
    expect(text).toContain('Concentrated: ');
    expect(text).toContain('- Wrap-up 95 s vs 48 s usual (+98 %)');
    expect(text).toContain('- Calls offered 18,234 vs 14,102 usual (+29 %)');
    expect(text).toContain(
      '- 10:00–11:00: needed 14 agents for the target, 9 staffed (1,641 calls, AHT 312 s)',
    );
    expect(text).toContain(
      'Abandon rate at queue sales: 4.1 % (target ≤ 5.0 %), back on target after 2 days',
    );
    expect(text.split('Full drill-down: /v1/centers/demo/exceptions?date=2026-11-22')).toHaveLength(4);
  });

  it('lists the exceptions in the top table most severe first, with the streak of a continuing one', () => {
    const { html } = renderDigest(digestInput({ exceptions: [csatBilling, serviceLevel, ahtTeamB] }));
    const table = html.slice(
      html.indexOf('Exceptions, most severe first'),
      html.indexOf('1. Average handle time'),
    );
    const order = ['Average handle time', 'Service level', 'Average CSAT'].map((t) => table.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(table).toContain('day 3');
    expect(html).toContain('critical');
  });

  it('renders every kind of cause readably, data quality first and marked as a warning', () => {
    const e = exception({
      metric: 'service_level',
      actual: 0.712,
      target: { gte: 0.8 },
      suspect_data: true,
      causes: [
        {
          kind: 'segment',
          dimension: 'team',
          id: 'B',
          value: 0.64,
          volume_share: 0.18,
          status: 'breached',
          share_of_gap: 0.71,
        },
        { kind: 'hours', hours: [{ id: '10', value: 0.41, volume: 1641, share_of_gap: 0.4 }] },
        {
          kind: 'staffing',
          hour: '11',
          offered: 900,
          aht_seconds: 300,
          agents_needed: null,
          agents_staffed: 9,
        },
        {
          kind: 'data_quality',
          findings: [],
          rejected_objects: [{ key: 'cdr/demo/x.csv', reason: 'unknown format' }],
          quarantine_heavy_objects: [{ key: 'cdr/demo/y.csv', rows_read: 1000, rows_quarantined: 32 }],
          missing_hours: [{ id: '14', baseline_offered: 120 }],
        },
      ],
    });
    const fcr = exception({
      metric: 'fcr_rate',
      scope: 'team',
      id: 'C',
      actual: 0.8,
      target: { gte: 0.85 },
      causes: [
        {
          kind: 'repeat_contacts',
          dimension: 'queue',
          items: [{ id: 'billing', repeated: 42, fcr_eligible: 310, fcr_rate: 0.8645 }],
        },
      ],
    });
    const csat = exception({
      ...csatBilling,
      causes: [
        {
          kind: 'double_loop',
          csat_p25: 3.4,
          agents: [{ id: 'A0211', qa_pass_rate: 1, qa_evaluations: 6, csat_avg: 2.9, csat_responses: 17 }],
        },
      ],
    });
    const perAgent = exception({
      metric: 'outbound_attempts_per_agent',
      actual: 120,
      target: { between: [150, 350] },
      causes: [
        { kind: 'agent', id: 'A0301', value: 40, volume: 1, distance: 110 },
        { kind: 'agent', id: 'A0302', value: 61, volume: 1, distance: 89 },
      ],
    });
    const { html, text } = renderDigest(digestInput({ exceptions: [e, fcr, csat, perAgent] }));

    const why = text.slice(text.indexOf('Service level — centre demo\n'));
    const lines = why.split('\n').filter((l) => l.startsWith('- ') || l.startsWith('    - '));
    expect(lines.slice(0, 7)).toEqual([
      '- WARNING: Check the data first: the export for this day looks incomplete, so this figure may be wrong.',
      '    - cdr/demo/x.csv was rejected: unknown format',
      '    - cdr/demo/y.csv: 3.2 % of rows quarantined (32 of 1,000)',
      '    - 14:00–15:00: no calls in the export, usually about 120 offered',
      '- team B — 64.0 %, 18 % of calls, 71 % of the gap (breached)',
      '- Worst hours: 10:00–11:00 (41.0 %, 40 % of the gap)',
      '- 11:00–12:00: 9 agents staffed; the agents needed for the target could not be estimated (900 calls, AHT 300 s)',
    ]);
    expect(text).toContain(
      '- Most repeat contacts by queue:\n    - queue billing: 42 repeats of 310 calls (FCR 86.5 %)',
    );
    expect(text).toContain(
      "- Double loop — QA says fine, customers do not (CSAT at or below 3.4, the scope's bottom quarter):\n    - agent A0211: QA pass 100.0 % of 6 evaluations, CSAT 2.9 from 17 responses",
    );
    expect(text).toContain('- Agents furthest outside the target: A0301 (40), A0302 (61)');
    expect(html).toContain('⚠ Check the data first');
    expect(html).toContain('border-left:4px solid #e08a00');
    expect(html).toContain('⚠ check the data');
    expect(html.indexOf('Check the data first')).toBeLessThan(html.indexOf('team B — 64.0 %'));
  });

  it('embeds a chart only where one was rendered, with alt text', () => {
    const { html } = renderDigest(
      digestInput({
        exceptions: [serviceLevel, ahtTeamB],
        charts: { [exceptionKey(ahtTeamB)]: 'trend-1@kpi.local' },
      }),
    );
    expect(html).toContain(
      '<img src="cid:trend-1@kpi.local" alt="14-day trend of Average handle time at team B against target" width="600"',
    );
    expect(html.match(/<img /g)).toHaveLength(1);
  });

  it('says what changed at the top of a restatement', () => {
    const { subject, html, text } = renderDigest(
      digestInput({
        restated: { changes: ['New: Service level at centre demo (major)'] },
        exceptions: [serviceLevel],
      }),
    );
    expect(subject.startsWith('[Restated] ')).toBe(true);
    expect(text).toContain('RESTATED. This replaces the report sent earlier for 2026-11-22');
    expect(text.indexOf('- New: Service level at centre demo (major)')).toBeLessThan(
      text.indexOf('Exceptions'),
    );
    expect(html.indexOf('New: Service level at centre demo (major)')).toBeLessThan(
      html.indexOf('Exceptions, most severe first'),
    );
  });

  it('sends an all-clear with the recovered metrics and no exception table', () => {
    const { subject, html, text } = renderDigest(
      digestInput({
        allClear: true,
        recovered: [recoveredMetric({ metric: 'service_level', actual: 0.83 })],
      }),
    );
    expect(subject).toBe('[demo] 2026-11-22: no KPI exceptions');
    expect(text).toContain('No KPI exceptions in your scope for 2026-11-22.');
    expect(text).toContain(
      'Service level at centre demo: 83.0 % (target ≥ 80.0 %), back on target after 1 day',
    );
    expect(text).toContain('/v1/centers/demo/exceptions?date=2026-11-22');
    expect(html).not.toContain('Exceptions, most severe first');
  });

  it('links the drill-down when the API path is a full https URL', () => {
    const { html, text } = renderDigest(
      digestInput({
        exceptions: [serviceLevel],
        apiPath: 'https://api.example.com/v1/centers/demo/exceptions?date=2026-11-22',
      }),
    );
    expect(html).toContain('<a href="https://api.example.com/v1/centers/demo/exceptions?date=2026-11-22"');
    expect(text).toContain(
      'Full drill-down: https://api.example.com/v1/centers/demo/exceptions?date=2026-11-22',
    );
  });

  it('stays within 680 px and lets the layout shrink to a phone', () => {
    const { html } = renderDigest(digestInput({ exceptions: [serviceLevel] }));
    expect(html).toContain('max-width:680px');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.toMatch(/<style|<script/i);
  });
});

describe('reportFingerprint and describeChanges', () => {
  const slMajor = exception({ metric: 'service_level', actual: 0.712, target: { gte: 0.8 } });
  const slCritical = exception({ metric: 'service_level', actual: 0.6, target: { gte: 0.8 } });
  const abandon = exception({
    metric: 'abandon_rate',
    scope: 'queue',
    id: 'sales',
    actual: 0.09,
    target: { lte: 0.05 },
  });
  const aht = exception({
    metric: 'aht_seconds',
    scope: 'team',
    id: 'B',
    actual: 350,
    target: { between: [180, 330] },
  });

  it('lists sorted exception and recovered lines', () => {
    const fp = reportFingerprint(
      [slMajor, abandon],
      [recoveredMetric({ metric: 'fcr_rate', scope: 'team', id: 'C' })],
    );
    expect(fp.entries).toEqual([
      'abandon_rate|queue|sales|critical',
      'recovered:fcr_rate|team|C',
      'service_level|center|demo|major',
    ]);
  });

  it('does not depend on the order exceptions arrive in', () => {
    expect(reportFingerprint([abandon, slMajor], [])).toEqual(reportFingerprint([slMajor, abandon], []));
  });

  it('describes new, cleared and re-graded exceptions in plain sentences', () => {
    const before = reportFingerprint([slMajor, abandon], []);
    const after = reportFingerprint([slCritical, aht], []);
    expect(describeChanges(before, after)).toEqual([
      'New: Average handle time at team B (major)',
      'No longer breached: Abandon rate at queue sales (was critical)',
      'Severity changed: Service level at centre demo major → critical',
    ]);
  });

  it('describes changes to the recovered list', () => {
    const before = reportFingerprint([slMajor], []);
    const after = reportFingerprint([], [recoveredMetric({ metric: 'service_level' })]);
    expect(describeChanges(before, after)).toEqual([
      'No longer breached: Service level at centre demo (was major)',
      'Now back on target: Service level at centre demo',
    ]);
  });

  it('treats everything as new when nothing was reported before', () => {
    expect(describeChanges(null, reportFingerprint([slMajor], []))).toEqual([
      'New: Service level at centre demo (major)',
    ]);
  });

  it('reports nothing when the fingerprints are equal', () => {
    expect(describeChanges(reportFingerprint([slMajor], []), reportFingerprint([slMajor], []))).toEqual([]);
  });

  it('keeps an id containing | whole', () => {
    const odd = exception({
      metric: 'service_level',
      scope: 'queue',
      id: 'a|b',
      actual: 0.6,
      target: { gte: 0.8 },
    });
    const oddMajor = { ...odd, actual: 0.7, severity: 'major' as const };
    expect(describeChanges(reportFingerprint([odd], []), reportFingerprint([oddMajor], []))).toEqual([
      'Severity changed: Service level at queue a|b critical → major',
    ]);
  });
});

describe('foldSystemic', () => {
  const centre = exception({
    metric: 'service_level',
    actual: 0.45,
    target: { gte: 0.8 },
    verdict: 'systemic',
  });
  const sales = exception({
    metric: 'service_level',
    actual: 0.46,
    target: { gte: 0.8 },
    scope: 'queue',
    id: 'sales',
  });
  const billing = exception({
    metric: 'service_level',
    actual: 0.43,
    target: { gte: 0.8 },
    scope: 'queue',
    id: 'billing',
  });
  const billingFcr = exception({
    metric: 'fcr_rate',
    actual: 0.74,
    target: { gte: 0.85 },
    scope: 'queue',
    id: 'billing',
  });

  it('tells a systemic centre story once, with its queues under it, and leaves other metrics alone', () => {
    const { shown, alsoAt } = foldSystemic([centre, sales, billing, billingFcr]);
    expect(shown).toEqual([centre, billingFcr]);
    expect(alsoAt.get(exceptionKey(centre))).toEqual([sales, billing]);
  });

  it('does not fold under a centre exception that is not systemic', () => {
    const { shown } = foldSystemic([{ ...centre, verdict: 'mixed' }, sales]);
    expect(shown).toHaveLength(2);
  });

  it('names the folded queues in the table and the section, and keeps the total in the heading', () => {
    const r = renderDigest(digestInput({ exceptions: [centre, sales, billing, billingFcr] }));
    expect(r.html).toContain('4 KPI exceptions');
    expect(r.html).toContain('centre demo + 2 queues');
    expect(r.text).toContain(
      'Also outside target: queue billing 43.0 % (critical), queue sales 46.0 % (critical).',
    );
    expect(r.text.match(/^-{60}$/gm)).toHaveLength(3);
  });
});
