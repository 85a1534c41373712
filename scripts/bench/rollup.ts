/**
 * Rollup part of `npm run bench`: the rollup of a generated 1,000,000-contact centre-day (every
 * metric at every scope) against DuckDB computing the centre-scope metrics from the same records,
 * single-threaded, in the same run. Reports seconds, the ratio and peak RSS.
 * Options: BENCH_CONTACTS (default 1000000).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { rng } from '../../functions/demo/generate.js';
import { defaultCenterConfig, resolveParameters } from '../../functions/domain/config.js';
import { computeDayKpis } from '../../functions/domain/kpi/rollup.js';
import type { ContactRecord, RosterEntry } from '../../functions/domain/records.js';
import { peakRssMb, timeIt } from './common.js';

const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const DAY = '2026-11-20';
const START = Date.UTC(2026, 10, 20);

function generate(): { contacts: ContactRecord[]; roster: RosterEntry[] } {
  const r = rng(7);
  const contacts: ContactRecord[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const answered = r() < 0.92;
    const wait = Math.floor(-Math.log(1 - r()) * 15);
    contacts[i] = {
      contact_id: `c${i}`,
      direction: r() < 0.05 ? 'transfer' : 'inbound',
      channel: 'voice',
      center: 'bench',
      queue: `q${Math.floor(r() * 20)}`,
      agent_id: answered ? `a${Math.floor(r() * 1000)}` : '',
      caller_token: `t${Math.floor(r() * 700_000)}`,
      initiated_at: START + Math.floor(r() * 86_400_000),
      queue_seconds: wait,
      ring_seconds: answered ? Math.floor(r() * 10) : 0,
      talk_seconds: answered ? Math.floor(60 + r() * 400) : 0,
      hold_seconds: answered && r() < 0.2 ? Math.floor(r() * 90) : 0,
      acw_seconds: answered ? Math.floor(10 + r() * 40) : 0,
      outcome: answered ? 'answered' : 'abandoned',
      disposition: '',
      last_updated_at: START + 86_400_000,
    };
  }
  const roster = Array.from({ length: 1000 }, (_, a) => ({
    agent_id: `a${a}`,
    team: `team${a % 50}`,
    name: '',
    supervisor: '',
    email: '',
    hire_date: '',
    effective_from: '',
  }));
  return { contacts, roster };
}

const CENTRE_SQL = `
SELECT
  count(*) FILTER (WHERE direction = 'inbound' AND NOT (outcome = 'abandoned' AND queue_seconds < 5)) AS offered,
  count(*) FILTER (WHERE direction = 'inbound' AND outcome = 'answered') AS answered,
  count(*) FILTER (WHERE direction = 'inbound' AND outcome = 'answered' AND queue_seconds <= 20) AS sl_met,
  sum(queue_seconds) FILTER (WHERE direction = 'inbound' AND outcome = 'answered') AS asa_sum,
  count(*) FILTER (WHERE outcome = 'answered') AS handled,
  sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE outcome = 'answered') AS handle_sum,
  count(DISTINCT agent_id) FILTER (WHERE outcome = 'answered') AS agents_active
FROM contacts`;

const FCR_SQL = `
WITH x AS (SELECT caller_token, initiated_at FROM contacts WHERE direction = 'inbound' AND outcome = 'answered'),
     y AS (SELECT caller_token, initiated_at FROM contacts WHERE direction = 'inbound')
SELECT count(*) AS eligible, count(*) FILTER (WHERE repeated) AS repeated FROM (
  SELECT EXISTS (SELECT 1 FROM y WHERE y.caller_token = x.caller_token
                 AND y.initiated_at > x.initiated_at AND y.initiated_at <= x.initiated_at + 7200000) AS repeated
  FROM x)`;

export async function rollupBench(): Promise<void> {
  console.log(`Generating a ${N.toLocaleString('en')}-contact day (1,000 agents, 20 queues, 50 teams) …`);
  const { contacts, roster } = generate();
  const params = resolveParameters(defaultCenterConfig());

  const ours = await timeIt(() =>
    computeDayKpis({
      center: 'bench',
      date: DAY,
      params,
      contacts,
      surveys: [],
      qa: [],
      roster,
      agentStates: null,
    }),
  );
  // The peak so far: the generated day, the three timed rollups, and the process around them
  // (tsx, and DuckDB's native library, loaded by scripts/bench.ts's imports: ≈ 20 MB that a
  // production rollup does not carry).
  const rss = peakRssMb();
  const centre = ours.value.find((k) => k.scope === 'center')?.metrics ?? {};

  const dir = join('bench-data');
  await mkdir(dir, { recursive: true });
  const csv = join(dir, 'contacts.csv');
  const header =
    'contact_id,direction,queue,agent_id,caller_token,initiated_at,queue_seconds,ring_seconds,talk_seconds,hold_seconds,acw_seconds,outcome';
  const lines = contacts.map((c) =>
    [
      c.contact_id,
      c.direction,
      c.queue,
      c.agent_id,
      c.caller_token,
      c.initiated_at,
      c.queue_seconds,
      c.ring_seconds,
      c.talk_seconds,
      c.hold_seconds,
      c.acw_seconds,
      c.outcome,
    ].join(','),
  );
  await writeFile(csv, `${header}\n${lines.join('\n')}\n`);
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  await con.run(`CREATE TABLE contacts AS SELECT * FROM read_csv('${csv}', header = true)`);
  const duckCentre = await timeIt(async () => (await con.runAndReadAll(CENTRE_SQL)).getRowObjects()[0]);
  const duckFcr = await timeIt(async () => (await con.runAndReadAll(FCR_SQL)).getRowObjects()[0], 1);
  await rm(dir, { recursive: true, force: true });

  const check = duckCentre.value as Record<string, unknown>;
  const agree = Number(check.offered) === centre.offered && Number(check.handled) === centre.handled;
  console.log(`
Rollup of one centre-day, ${N.toLocaleString('en')} contacts (best of 3, single thread; both sides start
from the day already in memory: ours from JS objects, DuckDB from a columnar in-memory table)
  ours, every metric at every scope      ${ours.best.toFixed(3)} s   (${ours.value.length} KPI records)
  DuckDB, centre-scope totals            ${duckCentre.best.toFixed(3)} s
  DuckDB, centre totals + FCR window     ${(duckCentre.best + duckFcr.best).toFixed(3)} s   (FCR query run once)
  ratio ours / DuckDB centre totals      ${(ours.best / duckCentre.best).toFixed(2)}×   (target ≤ 3×)
  ratio ours / DuckDB centre + FCR       ${(ours.best / (duckCentre.best + duckFcr.best)).toFixed(2)}×
  peak RSS (ours, with the day in memory) ${rss.toFixed(0)} MB   (target < 512 MB; incl. ≈ 20 MB of DuckDB's library)
  cross-check offered/handled            ${agree ? 'equal' : `DIFFERENT: ours ${centre.offered}/${centre.handled}, DuckDB ${check.offered}/${check.handled}`}`);
  if (!agree) process.exitCode = 1;
}
