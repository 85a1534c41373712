/**
 * Rollup part of `npm run bench`: the rollup of a generated 1,000,000-contact centre-day (every
 * metric at every scope) against DuckDB computing the centre-scope metrics from the same records,
 * single-threaded, in the same run. Reports seconds, the ratio and peak RSS.
 * Options: BENCH_CONTACTS (default 1000000).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DuckDBInstance } from '@duckdb/node-api';
import { rng } from '../../functions/demo/generate.js';
import { defaultCenterConfig, resolveParameters } from '../../functions/domain/config.js';
import {
  type ContactColumns,
  ContactColumnsBuilder,
  NONE,
} from '../../functions/domain/kpi/contact-columns.js';
import { computeDayKpis } from '../../functions/domain/kpi/rollup.js';
import type { ContactRecord, RosterEntry } from '../../functions/domain/records.js';
import { peakRssMb, timeIt } from './common.js';

const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const DAY = '2026-11-20';
/** Runs of each timed side; the best is compared (the first, with JIT warm-up, is shown too). */
const RUNS = 5;
const START = Date.UTC(2026, 10, 20);

/** A full garbage collection now (the bench process is not started with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The day's contacts one at a time, as the reader meets them in the curated files. */
function* generateContacts(): Generator<ContactRecord> {
  const r = rng(7);
  for (let i = 0; i < N; i++) {
    const answered = r() < 0.92;
    const wait = Math.floor(-Math.log(1 - r()) * 15);
    yield {
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
}

const roster: RosterEntry[] = Array.from({ length: 1000 }, (_, a) => ({
  agent_id: `a${a}`,
  team: `team${a % 50}`,
  name: '',
  supervisor: '',
  email: '',
  hire_date: '',
  effective_from: '',
}));

/** The reader's work (functions/app/day-input.ts): every record deduplicated into columns. */
function readDay(): ContactColumns {
  const builder = new ContactColumnsBuilder(N);
  let line = 0;
  for (const c of generateContacts()) builder.addVersion(c, 'curated/bench/contacts.json.gz', ++line);
  return builder.build();
}

/** The columns as a CSV for DuckDB (callers as their ids: equal ids are equal tokens). */
async function writeCsv(c: ContactColumns, path: string): Promise<void> {
  const out = createWriteStream(path);
  const direction = ['inbound', 'transfer', 'outbound'];
  const outcome = ['answered', 'abandoned', 'connected', 'no_answer', 'busy', 'failed'];
  const name = (values: readonly string[], id: number) => (id === NONE ? '' : values[id]);
  out.write(
    'contact_id,direction,queue,agent_id,caller_token,initiated_at,queue_seconds,ring_seconds,talk_seconds,hold_seconds,acw_seconds,outcome\n',
  );
  let chunk: string[] = [];
  for (let i = 0; i < c.length; i++) {
    chunk.push(
      [
        c.contactId[i],
        direction[c.direction[i] as number],
        name(c.queues, c.queue[i] as number),
        name(c.agents, c.agent[i] as number),
        c.caller[i] === NONE ? '' : `t${c.caller[i]}`,
        c.initiatedAt[i],
        c.queueSeconds[i],
        c.ringSeconds[i],
        c.talkSeconds[i],
        c.holdSeconds[i],
        c.acwSeconds[i],
        outcome[c.outcome[i] as number],
      ].join(','),
    );
    if (chunk.length === 10_000 || i === c.length - 1) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end();
  await once(out, 'finish');
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

// Per inbound segment of a caller: is there another within (0, 2 h] after it? (times are whole ms)
const FCR_SQL = `
SELECT count(*) FILTER (WHERE outcome = 'answered') AS eligible,
       count(*) FILTER (WHERE outcome = 'answered' AND later > 0) AS repeated
FROM (
  SELECT outcome, count(*) OVER (PARTITION BY caller_token ORDER BY initiated_at
                                 RANGE BETWEEN 1 FOLLOWING AND 7200000 FOLLOWING) AS later
  FROM contacts WHERE direction = 'inbound' AND caller_token IS NOT NULL)`;

export async function rollupBench(): Promise<void> {
  console.log(`Generating a ${N.toLocaleString('en')}-contact day (1,000 agents, 20 queues, 50 teams) …`);
  const params = resolveParameters(defaultCenterConfig());

  // The reader's side, timed apart (DuckDB's load is not timed either): making the records
  // alone, then making them and deduplicating them into columns as the reader does.
  const made = await timeIt(() => {
    let n = 0;
    for (const _ of generateContacts()) n++;
    return n;
  }, 1);
  const read = await timeIt(readDay, 1);
  const columns = read.value;
  // The reader's garbage (a million records) is collected before the timing, not during it.
  collectGarbage();
  const ours = await timeIt(
    () =>
      computeDayKpis({
        center: 'bench',
        date: DAY,
        params,
        contacts: columns,
        surveys: [],
        qa: [],
        roster,
        agentStates: null,
      }),
    RUNS,
  );
  // The peak so far: the day's columns (and the reader's working set while building them), the
  // three timed rollups, and the process around them (tsx, and DuckDB's native library, loaded by
  // scripts/bench.ts's imports: ≈ 20 MB that a production rollup does not carry).
  const rss = peakRssMb();
  const centre = ours.value.find((k) => k.scope === 'center')?.metrics ?? {};

  const dir = join('bench-data');
  await mkdir(dir, { recursive: true });
  const csv = join(dir, 'contacts.csv');
  await writeCsv(columns, csv);
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  await con.run(`CREATE TABLE contacts AS SELECT * FROM read_csv('${csv}', header = true)`);
  const duckCentre = await timeIt(async () => (await con.runAndReadAll(CENTRE_SQL)).getRowObjects()[0], RUNS);
  const duckFcr = await timeIt(async () => (await con.runAndReadAll(FCR_SQL)).getRowObjects()[0], RUNS);
  await rm(dir, { recursive: true, force: true });

  const check = duckCentre.value as Record<string, unknown>;
  const fcr = duckFcr.value as Record<string, unknown>;
  const agree =
    Number(check.offered) === centre.offered &&
    Number(check.handled) === centre.handled &&
    Number(fcr.eligible) === centre.fcr_eligible &&
    Number(fcr.repeated) === centre.repeated;
  const duckBoth = duckCentre.best + duckFcr.best;
  console.log(`
Rollup of one centre-day, ${N.toLocaleString('en')} contacts (best of ${RUNS}, single thread). Both sides start
from the day in memory as columns: ours as the reader hands them over, DuckDB's as a table.
  ours, every metric at every scope       ${ours.best.toFixed(3)} s   (${ours.value.length} KPI records; first run ${ours.first.toFixed(3)} s)
  DuckDB, centre-scope totals             ${duckCentre.best.toFixed(3)} s   (first run ${duckCentre.first.toFixed(3)} s)
  DuckDB, centre totals + FCR window      ${duckBoth.toFixed(3)} s
  ratio ours / DuckDB centre totals       ${(ours.best / duckCentre.best).toFixed(2)}×   (target ≤ 3×)
  ratio ours / DuckDB centre + FCR        ${(ours.best / duckBoth).toFixed(2)}×
  ratio of the first runs (centre totals) ${(ours.first / duckCentre.first).toFixed(2)}×
  peak RSS (reader + rollup)              ${rss.toFixed(0)} MB   (target < 512 MB; incl. ≈ 20 MB of DuckDB's library)
  cross-check offered/handled/FCR         ${agree ? 'equal' : `DIFFERENT: ours ${centre.offered}/${centre.handled}/${centre.fcr_eligible}/${centre.repeated}, DuckDB ${check.offered}/${check.handled}/${fcr.eligible}/${fcr.repeated}`}
Not timed above, like DuckDB's load: the reader deduplicating the records into columns takes
${(read.best - made.best).toFixed(3)} s (${read.best.toFixed(3)} s with making the ${N.toLocaleString('en')} records, ${made.best.toFixed(3)} s of it).`);
  if (!agree) process.exitCode = 1;
}
