/**
 * The morning email end to end (exceptions.md §4, architecture.md rule 7): files in the local
 * bucket → KPIs → evaluation of complete, settled days → one digest per recipient for the
 * report day only, exactly once; late data that changes the report day sends one [Restated].
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportDay } from '../../functions/domain/completion.js';
import type { KpiException } from '../../functions/domain/exceptions/model.js';
import { addDays } from '../../functions/domain/time.js';
import { listSentEmails } from '../../functions/local/outbox.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';

const CENTER = 'rpt';
// The centre's "yesterday" right now (settling is measured on the real clock, so the days are real too).
const REPORT_DAY = reportDay(Date.now(), 'UTC', 150);
const DAYS = [addDays(REPORT_DAY, -2), addDays(REPORT_DAY, -1), REPORT_DAY];

const HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,hold_seconds,acw_seconds,outcome';

/** 120 answered calls a day, 80 for team A and 40 for team B; team B's wrap-up is 300 s instead of 20 s when `slowB`. */
function dayCsv(date: string, slowB: boolean, prefix = ''): string {
  const rows = [HEADER];
  for (let i = 0; i < 120; i++) {
    const team = i % 3 === 0 ? 'B' : 'A';
    const agent = `${team}${(i % 6) >> 1}`;
    const minute = String(i % 60).padStart(2, '0');
    const hour = String(9 + Math.floor(i / 60)).padStart(2, '0');
    const acw = team === 'B' && slowB ? 300 : 20;
    rows.push(
      `${prefix}${date}-${i},inbound,${i % 3 === 0 ? 'billing' : 'sales'},${agent},+1555${date.slice(8)}${String(i).padStart(4, '0')},${date}T${hour}:${minute}:00Z,5,100,0,${acw},answered`,
    );
  }
  return `${rows.join('\n')}\n`;
}

const ROSTER = ['agent_id,team', 'A0,A', 'A1,A', 'A2,A', 'B0,B', 'B1,B', 'B2,B'].join('\n');
const CONFIG = JSON.stringify({
  timezone: 'UTC',
  preset: 'recommended',
  parameters: { report_settle_seconds: 0 },
  recipients: [
    { email: 'director@example.com', scopes: [{ scope: 'center' }] },
    { email: 'lead-b@example.com', scopes: [{ scope: 'team', id: 'B' }] },
    { email: 'lead-a@example.com', scopes: [{ scope: 'team', id: 'A' }] },
    { email: 'lead-c@example.com', scopes: [{ scope: 'team', id: 'C' }], all_clear: true },
  ],
});

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
  await p.put(`config/centers/${CENTER}.json`, CONFIG);
  await p.put(`roster/${CENTER}/roster.csv`, ROSTER);
  for (const d of DAYS) await p.put(`cdr/${CENTER}/${d}.csv`, dayCsv(d, d === REPORT_DAY));
  await p.idle();
});
afterAll(async () => {
  await p?.cleanup();
});

async function outbox(): Promise<string[]> {
  try {
    return (await readdir(join(p.stack.dataDir, 'outbox'))).sort();
  } catch {
    return [];
  }
}

describe('the morning email', () => {
  it('evaluates every complete day and emails only the report day, once per recipient in scope', async () => {
    const sweep = await p.evaluate();
    expect(sweep.evaluated.map((d) => d.date)).toEqual(DAYS);
    const files = await outbox();
    // Director (centre scope) and team B's lead; team A's lead has nothing in scope and gets
    // nothing; team C's lead has nothing either but asked for all-clear emails.
    expect(files).toEqual([
      `${REPORT_DAY}_${CENTER}_director@example.com_0.eml`,
      `${REPORT_DAY}_${CENTER}_lead-b@example.com_0.eml`,
      `${REPORT_DAY}_${CENTER}_lead-c@example.com_0.eml`,
    ]);
    const sent = await listSentEmails(p.stack.endpoints.ses);
    expect(sent).toHaveLength(3);
    expect(sent.find((m) => m.destination.to.includes('lead-c@example.com'))?.subject).toBe(
      `[${CENTER}] ${REPORT_DAY}: no KPI exceptions`,
    );
    const director = sent.find((m) => m.destination.to.includes('director@example.com'));
    expect(director?.subject).toMatch(
      new RegExp(`^\\[${CENTER}\\] ${REPORT_DAY}: \\d+ KPI exceptions — .+ vs .+`),
    );
    expect(director?.body.html).toContain('<table');
    expect(director?.body.text).toContain(`/v1/centers/${CENTER}/exceptions?date=${REPORT_DAY}`);
    expect(director?.attachments.some((a) => a.contentType === 'image/png')).toBe(true);
    const eml = await readFile(join(p.stack.dataDir, 'outbox', files[0] as string), 'utf8');
    expect(eml).toContain('multipart/alternative');
    expect(eml).not.toMatch(/\+1555/);
  });

  it('explains the AHT exception: concentrated in team B, wrap-up named first', async () => {
    const r = await p.get<{ items: KpiException[] }>(`/v1/centers/${CENTER}/exceptions?date=${REPORT_DAY}`);
    expect(r.status).toBe(200);
    const aht = r.body.items.find((e) => e.metric === 'aht_seconds' && e.scope === 'center');
    expect(aht).toBeDefined();
    // Centre AHT = (80 × 120 + 40 × 400) / 120 = 213.33 s against 60–180 s.
    expect(aht?.actual).toBeCloseTo(640 / 3, 9);
    expect(aht?.bound).toBe(180);
    // Team B: 1/3 of the calls, contribution (40/120)(400 − 180) = 73.33 of a 33.33 s gap;
    // team A pulls the other way: (80/120)(120 − 180) = −40.
    expect(aht?.verdict).toBe('concentrated');
    const team = aht?.contributions.team ?? [];
    expect(team.find((c) => c.id === 'B')?.contribution).toBeCloseTo(220 / 3, 9);
    expect(team.find((c) => c.id === 'A')?.contribution).toBeCloseTo(-40, 9);
    const sum = team.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(640 / 3 - 180, 9);
    const driver = aht?.causes.find((c) => c.kind === 'driver');
    expect(driver && 'name' in driver ? driver.name : null).toBe('avg_acw_seconds');
    expect(aht?.summary).toMatch(/team B|B/);
    expect(r.body.items.some((e) => e.scope === 'team' && e.id === 'A')).toBe(false);
  });

  it('sends nothing new when evaluated again or when a file is re-uploaded', async () => {
    const before = await outbox();
    await p.evaluate();
    await p.put(`cdr/${CENTER}/${REPORT_DAY}.csv`, dayCsv(REPORT_DAY, true));
    await p.idle();
    await p.evaluate();
    expect(await outbox()).toEqual(before);
    expect(await listSentEmails(p.stack.endpoints.ses)).toHaveLength(3);
  });

  it('sends one [Restated] digest to the recipients whose report changed after late data', async () => {
    // Late calls for team A on the report day with a long wrap-up: team A now breaches too.
    const late = dayCsv(REPORT_DAY, false, 'late-')
      .split('\n')
      .filter((line, i) => i === 0 || line.includes(',A'))
      .map((line, i) => (i === 0 ? line : line.replace(/,100,0,20,answered$/, ',100,0,400,answered')))
      .join('\n');
    await p.put(`cdr/${CENTER}/${REPORT_DAY}-late.csv`, late);
    await p.idle();
    await p.evaluate();
    await p.evaluate();
    const files = await outbox();
    const restated = files.filter((f) => f.endsWith('_1.eml'));
    expect(restated).toContain(`${REPORT_DAY}_${CENTER}_director@example.com_1.eml`);
    expect(restated).toContain(`${REPORT_DAY}_${CENTER}_lead-a@example.com_1.eml`);
    const sent = await listSentEmails(p.stack.endpoints.ses);
    const restatedMail = sent.filter((m) => m.subject.startsWith('[Restated] '));
    expect(restatedMail.length).toBe(restated.length);
  });
});

describe('GET /v1/centers/{center}/exceptions', () => {
  it('serves a range, CSV, and the evaluation a day came from', async () => {
    const range = await p.get<{ items: KpiException[]; next: string | null }>(
      `/v1/centers/${CENTER}/exceptions?from=${DAYS[0]}&to=${REPORT_DAY}&scope=center`,
    );
    expect(range.status).toBe(200);
    expect(range.body.items.every((e) => e.scope === 'center' && e.date === REPORT_DAY)).toBe(true);
    const day = await p.get<{ evaluation: { kpi_version: number; targets: { preset: string } } | null }>(
      `/v1/centers/${CENTER}/exceptions?date=${REPORT_DAY}`,
    );
    expect(day.body.evaluation?.targets.preset).toBe('recommended');
    expect(day.body.evaluation?.kpi_version).toBeGreaterThanOrEqual(1);
    const csv = await p.get(`/v1/centers/${CENTER}/exceptions?date=${REPORT_DAY}&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split(/\r?\n/)[0]).toBe(
      'date,metric,scope,id,actual,bound,severity,state,streak,volume,verdict,suspect_data,summary',
    );
  });

  it('answers bad parameters with 400 naming them, and unknown centres with 404', async () => {
    const cases: Array<[string, RegExp]> = [
      [`/v1/centers/${CENTER}/exceptions`, /date/],
      [`/v1/centers/${CENTER}/exceptions?date=2026-02-30`, /date/],
      [`/v1/centers/${CENTER}/exceptions?from=2026-11-10&to=2026-11-01`, /to/],
      [`/v1/centers/${CENTER}/exceptions?from=2025-01-01&to=2026-11-01`, /366/],
      [`/v1/centers/${CENTER}/exceptions?date=${REPORT_DAY}&scope=agent`, /scope/],
      [`/v1/centers/${CENTER}/exceptions?date=${REPORT_DAY}&next=forged`, /next/],
    ];
    for (const [path, message] of cases) {
      const r = await p.get<{ error: { message: string } }>(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error.message, path).toMatch(message);
    }
    expect((await p.get(`/v1/centers/nope/exceptions?date=${REPORT_DAY}`)).status).toBe(404);
  });
});
