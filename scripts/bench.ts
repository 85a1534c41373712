/**
 * `npm run bench [-- part …]`: the performance targets of architecture.md, measured next to
 * DuckDB (single-threaded) on the same machine in the same run. Not a test: machines are noisy.
 *
 * Parts (all by default, in this order):
 * - `rollup`: a generated 1,000,000-contact centre-day, every metric at every scope
 *   (scripts/bench/rollup.ts; BENCH_CONTACTS).
 * - `ingest`: a generated 1,000,000-row canonical CSV and the same contacts as Connect contact
 *   records, through `ingestObject` (scripts/bench/ingest.ts; BENCH_INGEST_ROWS, BENCH_RUNS,
 *   BENCH_CTR=0, BENCH_KEEP=1).
 * - `api`: the local pipeline in a process of its own, one 1,000-agent day loaded through its
 *   bucket, then sequential agent-scope KPI queries over HTTP; p50/p95/p99 against DuckDB's
 *   prepared select of the same records (scripts/bench/api.ts; BENCH_API_CONTACTS,
 *   BENCH_API_REQUESTS).
 * - `freshness`: small files put into the running pipeline's bucket, the seconds until their
 *   KPIs are readable through the API, against DuckDB reading the same file and computing the
 *   centre totals (scripts/bench/freshness.ts; BENCH_FRESH_RUNS, BENCH_FRESH_ROWS,
 *   BENCH_ROLLUP_QUIET_MS).
 */
import { apiBench } from './bench/api.js';
import { freshnessBench } from './bench/freshness.js';
import { ingestBench } from './bench/ingest.js';
import { rollupBench } from './bench/rollup.js';

const PARTS: Record<string, () => Promise<void>> = {
  rollup: rollupBench,
  ingest: ingestBench,
  api: apiBench,
  freshness: freshnessBench,
};

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !(a in PARTS));
if (unknown.length > 0) {
  console.error(`unknown bench part: ${unknown.join(', ')} (parts: ${Object.keys(PARTS).join(', ')})`);
  process.exit(2);
}
for (const part of asked.length > 0 ? asked : Object.keys(PARTS))
  await (PARTS[part] as () => Promise<void>)();
